import { createHash } from 'node:crypto';
import { Html, html } from './html';

/*
 * The page shell. Phone-first CSS, colours with at least 4.5:1 contrast (7:1 for body text),
 * a thick visible focus ring, 44 px touch targets. The stylesheet is inline and allowed by its
 * hash in the Content-Security-Policy; no script runs on these pages at all.
 */
export const FORM_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1b1b1b;background:#f3f4f6}
main{max-width:42rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
@media (min-width:48rem){main{margin:2rem auto;min-height:0;padding:2rem;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.2)}}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
p{margin:0 0 1rem}
a{color:#0b4f9c}
a:hover{color:#06284f}
:focus-visible{outline:3px solid #0b4f9c;outline-offset:2px;box-shadow:0 0 0 5px #ffbf47}
.progress{color:#4a4a4a;font-size:.95rem;margin:0 0 .5rem}
.anonymous-notice{border-left:4px solid #1d4f91;background:#eef3fa;padding:.5rem .75rem;margin:0 0 1rem}
.lang-switch{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:flex-end;margin:0 0 .5rem;padding:0;border:0}
.lang-switch span{font-size:.9rem;color:#4a4a4a}
.lang-switch button{font:inherit;font-size:.95rem;min-height:44px;min-width:44px;padding:.25rem .75rem;border:1px solid #0b4f9c;border-radius:.25rem;background:#fff;color:#0b4f9c;cursor:pointer}
.lang-switch button[aria-current="true"]{background:#0b4f9c;color:#fff}
.question{margin:0 0 1.75rem;padding:0;border:0;min-width:0}
.question legend,.question>label{display:block;font-weight:600;font-size:1.1rem;margin:0 0 .5rem;padding:0}
.req{font-weight:400;color:#4a4a4a;font-size:.95rem}
.hint{color:#4a4a4a;margin:0 0 .5rem;font-size:.95rem}
.error-text{color:#b00020;font-weight:600;margin:0 0 .5rem}
.has-error{border-left:4px solid #b00020;padding-left:.75rem}
.scale{display:grid;grid-template-columns:repeat(6,minmax(44px,1fr));gap:.5rem}
@media (min-width:36rem){.scale.scale-11{grid-template-columns:repeat(11,1fr)}.scale.scale-5{grid-template-columns:repeat(5,1fr)}}
.scale label{display:flex;align-items:center;justify-content:center;min-height:44px;border:2px solid #5a5a5a;border-radius:.25rem;cursor:pointer;font-weight:600;background:#fff}
.scale input{position:absolute;opacity:0;width:1px;height:1px}
.scale input:checked+label{background:#0b4f9c;border-color:#0b4f9c;color:#fff}
.scale input:focus-visible+label{outline:3px solid #0b4f9c;outline-offset:2px;box-shadow:0 0 0 5px #ffbf47}
.options{display:flex;flex-direction:column;gap:.5rem}
.option{display:flex;align-items:flex-start;gap:.75rem;min-height:44px;padding:.5rem .75rem;border:1px solid #8a8a8a;border-radius:.25rem}
.option input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none;accent-color:#0b4f9c}
.option label{flex:1;cursor:pointer}
textarea{width:100%;font:inherit;padding:.5rem;border:2px solid #5a5a5a;border-radius:.25rem;min-height:8rem}
textarea[aria-invalid="true"]{border-color:#b00020}
.actions{display:flex;flex-wrap:wrap;gap:1rem;margin-top:2rem}
.actions button{font:inherit;font-weight:600;min-height:48px;padding:.5rem 1.5rem;border-radius:.25rem;cursor:pointer}
.primary{background:#0b4f9c;color:#fff;border:2px solid #0b4f9c}
.primary:hover{background:#06284f}
.secondary{background:#fff;color:#0b4f9c;border:2px solid #0b4f9c}
.error-summary{border:4px solid #b00020;padding:1rem;margin:0 0 1.5rem}
.error-summary h2{margin-top:0;color:#1b1b1b}
.error-summary a{color:#b00020;font-weight:600}
.message{padding:1rem 0}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}
@media (forced-colors:active){.scale input:checked+label{outline:3px solid CanvasText}}
`;

export const FORM_CSS_HASH = `sha256-${createHash('sha256').update(FORM_CSS).digest('base64')}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src '${FORM_CSS_HASH}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

// The stylesheet is ours and constant: inserted unescaped so it matches its CSP hash.
const FORM_CSS_HTML = new Html(FORM_CSS);

export function layout(options: { language: string; title: string; body: Html }): Html {
  return html`<!doctype html>
<html lang="${options.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<style>${FORM_CSS_HTML}</style>
</head>
<body>
<main id="main">
${options.body}
</main>
</body>
</html>`;
}
