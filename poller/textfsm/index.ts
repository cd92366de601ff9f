/** The TextFSM engine's public surface (docs/textfsm.md). */
export { compileTemplate, DEFAULT_MAX_TEMPLATE_BYTES, type CompileOptions, type Template, type ValueDefinition, type ValueOption } from './template-parser';
export { parseRows, parseText, rowsToRecords, DEFAULT_LIMITS, type FsmRecord, type FsmRow, type FsmValue, type ListItem, type ParseOptions } from './engine';
export { TemplateIndex, expandCompletion, type IndexRow, type TemplateMatch } from './template-index';
export { TemplateLibrary, type TemplateLibraryOptions } from './template-library';
export { parseJoined, tableToNtcRecords, type Table } from './cli-table';
export { PyRegex } from './py-regex';
export { PyRegexError } from './regex-translate';
export { TextFsmIndexError, TextFsmLimitError, TextFsmNoTemplateError, TextFsmParseError, TextFsmTemplateError } from './errors';
