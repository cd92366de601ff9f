// @ts-check
'use strict';
/**
 * The output contract every discovery script shares (see docs/discovery-scripts.md): invoked with the
 * single argument `discover`, it prints ONE JSON document
 * `{discovertype, description, host, source, data}` on stdout and exits 0.
 * Anything that goes wrong inside a collector becomes a message on stderr and exit status 1, so the
 * nanoprobe reports it as a failed run instead of ingesting half a result.
 */
const os = require('node:os');
const path = require('node:path');

/**
 * @typedef {{
 *   discovertype: string,
 *   description: string,
 *   host: string,
 *   source: string,
 *   data: unknown,
 * }} DiscoveryDocument
 */

/**
 * Builds the envelope. `source` names the script that produced the data (its file name), so a
 * reader of the raw JSON in the graph can tell where it came from.
 * @param {string} discovertype
 * @param {string} description
 * @param {unknown} data
 * @param {string} [scriptPath]
 * @returns {DiscoveryDocument}
 */
function envelope(discovertype, description, data, scriptPath) {
  const script = scriptPath ?? process.argv[1] ?? discovertype;
  return {
    discovertype,
    description,
    host: os.hostname(),
    source: `unimatrix:discovery-scripts/${path.basename(script)}`,
    data,
  };
}

/**
 * The standard way a script starts: checks the invocation, runs the collector, prints the document.
 * The collector may be synchronous or return a promise.
 * @param {{ discovertype: string, description: string, collect: () => unknown }} script
 */
function runDiscovery(script) {
  const verb = process.argv[2];
  if (verb !== 'discover') {
    process.stderr.write(
      `usage: ${path.basename(process.argv[1] ?? script.discovertype)} discover\n` +
        `  ${script.description}\n` +
        '  parameters come from UNIMATRIX_PARAM_* environment variables\n',
    );
    process.exitCode = 2;
    return;
  }
  Promise.resolve()
    .then(() => script.collect())
    .then((data) => {
      // One write of the whole document: the runner reads stdout until the process closes it.
      process.stdout.write(`${JSON.stringify(envelope(script.discovertype, script.description, data))}\n`);
    })
    .catch((err) => {
      const message = err instanceof Error ? err.stack ?? err.message : String(err);
      process.stderr.write(`${script.discovertype}: collection failed: ${message}\n`);
      process.exitCode = 1;
    });
}

/**
 * A "the tool or facility is not here" result: valid, with the script's usual empty collections and a
 * human-readable reason. The CMA keeps what it knew before instead of treating it as "nothing found".
 * @template {Record<string, unknown>} T
 * @param {string} reason
 * @param {T} empty
 * @returns {T & { unavailable: string }}
 */
function unavailable(reason, empty) {
  return { ...empty, unavailable: reason };
}

module.exports = { envelope, runDiscovery, unavailable };
