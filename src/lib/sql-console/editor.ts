/**
 * The console's editor (browser only): CodeMirror 6 with SQL highlighting in a DuckDB-flavoured
 * dialect, completion of the user's tables and columns, and Ctrl/Cmd+Enter to run.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completeFromList, completionKeymap, type Completion } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { sql, PostgreSQL, SQLDialect, type SQLNamespace } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';

/** PostgreSQL's grammar plus DuckDB's own words (QUALIFY, PIVOT, SUMMARIZE, EXCLUDE, …). */
export const DuckDB = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords: `${PostgreSQL.spec.keywords ?? ''} qualify pivot unpivot summarize describe exclude replace columns asof positional anti semi sample using filter within ilike glob`,
  types: `${PostgreSQL.spec.types ?? ''} hugeint uhugeint ubigint uinteger usmallint utinyint tinyint varchar blob list struct map union uuid timestamptz`,
});

export interface EditorSchemaTable {
  name: string;
  columns: { name: string; type: string }[];
}

export interface SqlEditorOptions {
  parent: HTMLElement;
  doc: string;
  tables: EditorSchemaTable[];
  placeholderText: string;
  onChange(doc: string): void;
  onRun(): void;
}

export function createSqlEditor(o: SqlEditorOptions): EditorView {
  const schema: SQLNamespace = Object.fromEntries(
    o.tables.map((t) => [t.name, t.columns.map((c): Completion => ({ label: c.name, detail: c.type, type: 'property' }))]),
  );
  // every column name also completes on its own (SELECT owner, … before FROM names the table)
  const seen = new Map<string, Completion>();
  for (const t of o.tables) for (const c of t.columns) if (!seen.has(c.name)) seen.set(c.name, { label: c.name, detail: `${t.name} · ${c.type}`, type: 'property', boost: -1 });
  const language = sql({ dialect: DuckDB, schema, upperCaseKeywords: true });
  return new EditorView({
    parent: o.parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (o.onRun(), true), preventDefault: true }])),
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        language,
        language.language.data.of({ autocomplete: completeFromList([...seen.values()]) }),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        placeholder(o.placeholderText),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': o.placeholderText }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}

/** Puts text at the cursor (a table or column picked in the schema browser). */
export function insertAtCursor(view: EditorView, text: string): void {
  const { from, to } = view.state.selection.main;
  view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
  view.focus();
}
