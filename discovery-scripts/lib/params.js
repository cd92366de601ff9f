// @ts-check
'use strict';
/**
 * Parameters reach a script as environment variables named UNIMATRIX_PARAM_<NAME> (upper case).
 * The nanoprobe sets them from the discovery request; a person testing a script by hand sets them on
 * the command line, e.g. `UNIMATRIX_PARAM_SOCKET=/run/lldpd-a.socket ./lldp.js discover`.
 */
const PARAM_PREFIX = 'UNIMATRIX_PARAM_';

/**
 * @param {string} name parameter name, any case (`socket` reads UNIMATRIX_PARAM_SOCKET)
 * @returns {string | undefined} the value, or undefined when unset or empty
 */
function param(name) {
  const value = process.env[PARAM_PREFIX + name.toUpperCase()];
  return value === undefined || value === '' ? undefined : value;
}

module.exports = { PARAM_PREFIX, param };
