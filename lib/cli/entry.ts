/** Process entry point (bin/pgsteward.js loads the compiled copy; tests run it through tsx). */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`pgsteward: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 3;
  },
);
