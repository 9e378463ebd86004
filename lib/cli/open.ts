/**
 * Opening a file in the user's browser: `$BROWSER` when set (the convention of xdg-utils and
 * Python's webbrowser: a command, optionally with `%s` where the file goes; several may be
 * separated by `:`, the first is used), else `open` on macOS and `xdg-open` elsewhere. The
 * viewer is started detached; an opener that cannot be started is an error to report.
 */
import { spawn } from 'node:child_process';

export function openerCommand(file: string, env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const browser = env.BROWSER?.split(':')[0]?.trim();
  if (browser) {
    const parts = browser.split(/\s+/);
    return parts.some((p) => p.includes('%s')) ? parts.map((p) => p.replace('%s', file)) : [...parts, file];
  }
  return [platform === 'darwin' ? 'open' : 'xdg-open', file];
}

/** Resolves when the viewer started; rejects when it could not (not installed, not executable). */
export function openFile(file: string): Promise<string> {
  const [cmd, ...args] = openerCommand(file);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.once('error', (err) => reject(new Error(`could not start ${cmd}: ${err.message} (set $BROWSER to your browser)`)));
    child.once('spawn', () => {
      child.unref();
      resolve(cmd);
    });
  });
}
