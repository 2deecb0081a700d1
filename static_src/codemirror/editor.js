/* The Test tab's event editor: CodeMirror 6 set up for one JSON value, in the console's look.
   Built into ../../static/codemirror-<version>.min.js (see README.md); static/console.js is its only user, through
   the one global it defines, window.LambdaConsoleEditor. The <textarea> stays the form's field: the editor is put
   after it, hides it, and writes every change back into it, so a form post, htmx and a page without script all send
   the same text. */
import { EditorState, StateEffect, StateField, RangeSetBuilder } from "@codemirror/state";
import {
  Decoration, EditorView, GutterMarker, drawSelection, gutterLineClass, highlightActiveLine,
  highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, isolateHistory } from "@codemirror/commands";
import {
  HighlightStyle, bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit, syntaxHighlighting,
} from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { tags } from "@lezer/highlight";
import { StyleModule } from "style-mod";

/* CodeMirror's styles (its base theme and the one below) are rules that style-mod would put in a <style> element,
   which the console's Content-Security-Policy (style-src 'self') refuses. They go into a constructed stylesheet
   adopted by the document instead: CSSOM, which that policy allows. Rules are added once per module, in the order
   the view gives them (its base theme first), as style-mod does. */
const adopted = new WeakMap();
StyleModule.mount = (root, modules) => {
  let entry = adopted.get(root);
  if (!entry) {
    const view = (root.ownerDocument || root).defaultView;
    entry = { sheet: new view.CSSStyleSheet(), mounted: new Set() };
    adopted.set(root, entry);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, entry.sheet];
  }
  for (const module of [].concat(modules)) {
    if (entry.mounted.has(module)) continue;
    entry.mounted.add(module);
    for (const rule of module.rules) entry.sheet.insertRule(rule, entry.sheet.cssRules.length);
  }
};

/* Where the JSON is broken: the line's start and the position of the column, or null. Kept while the text elsewhere
   changes (mapped through each change); dropped once the marked line itself is edited. */
const setError = StateEffect.define();
const errorField = StateField.define({
  create: () => null,
  update(error, tr) {
    for (const effect of tr.effects) if (effect.is(setError)) return effect.value;
    if (!error || !tr.docChanged) return error;
    const line = tr.startState.doc.lineAt(error.at);
    if (tr.changes.touchesRange(line.from, line.to)) return null;
    return { line: tr.changes.mapPos(line.from), at: tr.changes.mapPos(error.at) };
  },
  provide: (field) => [
    EditorView.decorations.from(field, (error) => {
      if (!error) return Decoration.none;
      const builder = new RangeSetBuilder();
      builder.add(error.line, error.line, Decoration.line({ class: "cm-error-line" }));
      return builder.finish();
    }),
  ],
});

/* Whether the event was last found broken (with or without a place): the editor's aria-invalid, as the textarea's. */
const setInvalid = StateEffect.define();
const invalidField = StateField.define({
  create: () => false,
  update(invalid, tr) {
    for (const effect of tr.effects) if (effect.is(setInvalid)) return effect.value;
    return invalid;
  },
  provide: (field) => EditorView.contentAttributes.from(field, (invalid) => ({ "aria-invalid": String(invalid) })),
});

const errorGutterMarker = new (class extends GutterMarker {
  elementClass = "cm-error-gutter";
})();
const errorGutter = gutterLineClass.compute([errorField], (state) => {
  const error = state.field(errorField);
  const builder = new RangeSetBuilder();
  if (error) builder.add(error.line, error.line, errorGutterMarker);
  return builder.finish();
});

/* The console's colours (static/console.css's custom properties) and its monospace font. */
const theme = EditorView.theme({
  "&": {
    backgroundColor: "#fbfbfc", color: "var(--ink)", border: "1px solid var(--line)", borderRadius: "6px",
    fontSize: "13px",
    // Grows with the event, from about fourteen lines up to the window's height; then it scrolls inside.
    maxHeight: "calc(100vh - 7rem)",
  },
  "&.cm-focused": { outline: "2px solid var(--link)", outlineOffset: "0", borderColor: "var(--link)" },
  ".cm-scroller": { overflow: "auto", fontFamily: "var(--mono)", lineHeight: "1.45" },
  ".cm-content, .cm-gutter": { minHeight: "260px" },
  ".cm-content": { padding: "6px 0", caretColor: "var(--ink)" },
  ".cm-gutters": { backgroundColor: "#f2f3f3", color: "var(--muted)", borderRight: "1px solid var(--line)",
    borderRadius: "6px 0 0 6px" },
  ".cm-lineNumbers .cm-gutterElement": { padding: "0 8px 0 10px" },
  ".cm-activeLine": { backgroundColor: "rgba(9, 114, 211, .05)" },
  ".cm-activeLineGutter": { backgroundColor: "#e4e8ec", color: "var(--ink)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "#d8eafd", outline: "1px solid #9ec6f0" },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--bad-bg)", outline: "1px solid var(--bad)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground":
    { backgroundColor: "#cfe3fa" },
  ".cm-error-line": { backgroundColor: "var(--bad-bg)", boxShadow: "inset 3px 0 0 var(--bad)" },
  ".cm-gutterElement.cm-error-gutter": { color: "#fff", backgroundColor: "var(--bad)", fontWeight: "700" },
  ".cm-foldGutter .cm-gutterElement": { padding: "0 4px", cursor: "pointer" },
});

/* JSON's parts in the colours of the Code tab (Pygments' default style, static/code-highlight.css). */
const highlighting = HighlightStyle.define([
  { tag: tags.propertyName, color: "#008000", fontWeight: "600" },
  { tag: tags.string, color: "#BA2121" },
  { tag: tags.number, color: "#666666" },
  { tag: [tags.bool, tags.null], color: "#008000", fontWeight: "700" },
  { tag: [tags.separator, tags.squareBracket, tags.brace], color: "#5f6b7a" },
  { tag: tags.invalid, color: "#d91515" },
]);

function attach(textarea, options = {}) {
  const onRun = options.onRun || (() => false);
  const parent = document.createElement("div");
  parent.className = "event-editor";
  const label = textarea.id && document.querySelector(`label[for="${textarea.id}"]`);
  const attributes = { spellcheck: "false", autocapitalize: "off", autocorrect: "off", "aria-multiline": "true" };
  if (label) {
    // The label now names the editor, not the hidden textarea; a click on it puts the cursor in the editor.
    label.id = label.id || `${textarea.id}-label`;
    label.removeAttribute("for");
    label.addEventListener("click", () => view.focus());
    attributes["aria-labelledby"] = label.id;
  }
  const described = textarea.getAttribute("aria-describedby");
  if (described) attributes["aria-describedby"] = described;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), foldGutter(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(),
        indentUnit.of("  "), EditorState.tabSize.of(2),
        syntaxHighlighting(highlighting), json(), theme, errorField, errorGutter,
        invalidField.init(() => textarea.getAttribute("aria-invalid") === "true"),
        EditorView.contentAttributes.of(attributes),
        // Text typed over a selection replaces it here, not by the browser's editing, which keeps the look of the
        // deleted text by wrapping the new text in an element with a style attribute: the Content-Security-Policy
        // refuses that attribute, and the page would log a violation for every such keystroke.
        EditorView.domEventHandlers({
          beforeinput(event, view) {
            if (event.inputType !== "insertText" || event.isComposing || event.data == null) return false;
            // The browser's selection, which the editor may not have read yet (selectionchange comes later).
            const selection = view.root.getSelection();
            if (!selection || selection.isCollapsed || !view.contentDOM.contains(selection.anchorNode) ||
                !view.contentDOM.contains(selection.focusNode)) return false;
            const anchor = view.posAtDOM(selection.anchorNode, selection.anchorOffset);
            const head = view.posAtDOM(selection.focusNode, selection.focusOffset);
            const from = Math.min(anchor, head), to = Math.max(anchor, head), text = event.data;
            event.preventDefault();
            view.dispatch({ selection: { anchor, head } });
            // As the editor treats any typing: its input handlers first (closing brackets wrap the selection).
            const typed = () => view.state.update({
              changes: { from, to, insert: text }, selection: { anchor: from + text.length },
              userEvent: "input.type", scrollIntoView: true,
            });
            const handlers = view.state.facet(EditorView.inputHandler);
            if (!handlers.some((handler) => handler(view, from, to, text, typed))) view.dispatch(typed());
            return true;
          },
        }),
        EditorView.lineWrapping,
        // Ctrl/Cmd+Enter runs the test (ahead of the default keymap, where it would insert a blank line). Tab is
        // left to move the focus, as in the textarea it replaces.
        keymap.of([{ key: "Mod-Enter", run: () => { onRun(); return true; } },
          ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...foldKeymap]),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
        }),
      ],
    }),
  });
  // Someone already typing in the textarea (the page showed it before this script arrived) carries on in the editor,
  // at the same place.
  const typing = document.activeElement === textarea;
  const caret = Math.min(textarea.selectionStart || 0, view.state.doc.length);
  textarea.after(parent);
  textarea.hidden = true;
  if (typing) {
    view.dispatch({ selection: { anchor: caret }, scrollIntoView: true });
    view.focus();
  }

  const editor = {
    view,
    /* Replace the whole text (Format), as one step that Undo takes back. */
    setText(text) {
      if (text === view.state.doc.toString()) return;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        annotations: isolateHistory.of("full"),  // never merged with the typing before or after it
      });
    },
    /* Mark a 1-based line, put the cursor at its column, and bring it into view. */
    markError(lineNumber, column) {
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(1, lineNumber || 1), doc.lines));
      const at = line.from + Math.min(Math.max(0, (column || 1) - 1), line.length);
      view.dispatch({
        selection: { anchor: at },
        effects: [
          setError.of({ line: line.from, at }), setInvalid.of(true), EditorView.scrollIntoView(at, { y: "center" }),
        ],
      });
      view.focus();
    },
    clearError() {
      view.dispatch({ effects: [setError.of(null), setInvalid.of(false)] });
    },
    /* Broken without a place to mark (the whole event, say): said to assistive technology all the same. */
    setInvalid(invalid) {
      view.dispatch({ effects: setInvalid.of(!!invalid) });
    },
    focus() { view.focus(); },
    destroy() {
      view.destroy();
      parent.remove();
      textarea.hidden = false;
    },
  };
  textarea.lambdaConsoleEditor = editor;
  return editor;
}

window.LambdaConsoleEditor = { attach, version: __CODEMIRROR_VERSION__ };
