/**
 * A directory of templates with its `index` (the ntc-templates layout), as the SSH pollers use it:
 * look up the template(s) for a platform and command, compile each once, parse output into records.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseJoined, tableToNtcRecords, type Table } from './cli-table';
import type { FsmRecord, ParseOptions } from './engine';
import { TextFsmTemplateError } from './errors';
import { TemplateIndex, type TemplateMatch } from './template-index';
import { compileTemplate, type CompileOptions, type Template } from './template-parser';

export interface TemplateLibraryOptions extends CompileOptions {
  /** Index file name inside the directory (default `index`). */
  indexFile?: string;
}

export class TemplateLibrary {
  readonly dir: string;
  readonly index: TemplateIndex;
  private readonly compiled = new Map<string, Template>();
  private readonly compileOptions: CompileOptions;

  constructor(dir: string, options: TemplateLibraryOptions = {}) {
    this.dir = dir;
    this.index = TemplateIndex.parse(readFileSync(path.join(dir, options.indexFile ?? 'index'), 'utf8'));
    this.compileOptions = options.maxTemplateBytes === undefined ? {} : { maxTemplateBytes: options.maxTemplateBytes };
  }

  /** The template(s) for a platform and command; throws TextFsmNoTemplateError when none. */
  findTemplate(platform: string, command: string): TemplateMatch {
    return this.index.findTemplate(platform, command);
  }

  /**
   * A compiled template by file name, cached. A template error gets the file name prefixed, since
   * the line number alone does not say which of several hundred files is wrong.
   */
  template(name: string): Template {
    const cached = this.compiled.get(name);
    if (cached !== undefined) return cached;
    if (name !== path.basename(name)) throw new Error(`template name ${JSON.stringify(name)} must be a plain file name`);
    const text = readFileSync(path.join(this.dir, name), 'utf8');
    let template: Template;
    try {
      template = compileTemplate(text, this.compileOptions);
    } catch (err) {
      if (err instanceof TextFsmTemplateError) throw new TextFsmTemplateError(`${name}: ${err.reason}`, err.line);
      throw err;
    }
    this.compiled.set(name, template);
    return template;
  }

  /** Parse output into a table (columns = Value names as written). */
  parseTable(platform: string, command: string, text: string, options: ParseOptions = {}): Table {
    const found = this.findTemplate(platform, command);
    return parseJoined(found.templates.map((t) => this.template(t)), text, options);
  }

  /** ntc-templates' `parse_output`: records with lowercased Value names as keys. */
  parseOutput(platform: string, command: string, text: string, options: ParseOptions = {}): FsmRecord[] {
    return tableToNtcRecords(this.parseTable(platform, command, text, options));
  }
}
