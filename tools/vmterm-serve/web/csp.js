// xterm.js under vmterm-serve's Content-Security-Policy (style-src 'self': no inline styles).
// The policy refuses <style> elements and style attributes set as markup (setAttribute), but
// not style changed through the CSSOM (element.style, constructed style sheets). xterm.js uses
// the former in two places, which are routed to the latter here, so the policy stays strict:
// - its theme, cell metrics and scrollbar styles go into <style> elements;
// - its DOM renderer colours selected and true-colour cells with
//   span.setAttribute('style', ...) (one violation per coloured run of a selection).

function routeStyleElementsToConstructedSheets(doc) {
  const createElement = doc.createElement.bind(doc);
  doc.createElement = (name, options) => {
    if (String(name).toLowerCase() !== 'style') return createElement(name, options);
    // An inert stand-in: even an empty <style> element is reported as a policy violation.
    const element = createElement('template');
    const sheet = new CSSStyleSheet();
    let text = '';
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
    Object.defineProperty(element, 'textContent', {
      get: () => text,
      set: (value) => { text = String(value ?? ''); sheet.replaceSync(text); },
    });
    const remove = element.remove.bind(element);
    element.remove = () => {
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
      remove();
    };
    return element;
  };
}

// Only for <span>: the element xterm.js's renderer colours; the rest of the page is untouched.
function routeSpanStyleAttributeToCssom(win) {
  const proto = win.HTMLSpanElement.prototype;
  const setAttribute = win.Element.prototype.setAttribute;
  Object.defineProperty(proto, 'setAttribute', {
    configurable: true,
    writable: true,
    value(name, value) {
      if (String(name).toLowerCase() === 'style') {
        this.style.cssText = String(value);
        return;
      }
      setAttribute.call(this, name, value);
    },
  });
}

export function routeInlineStylesThroughCssom(doc) {
  routeStyleElementsToConstructedSheets(doc);
  routeSpanStyleAttributeToCssom(doc.defaultView);
}
