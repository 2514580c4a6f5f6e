/**
 * The stylesheet of the login, consent and error pages, served from `/api/v1/oauth/assets/authms.css`
 * (the pages' Content-Security-Policy allows styles from this server only: no inline styles).
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827;line-height:1.5}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 1rem}
p{margin:.5rem 0}
label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input[type=password]{width:100%;padding:.6rem;margin-top:.25rem;border:1px solid #9ca3af;border-radius:.4rem;font-size:1rem}
input:focus,button:focus{outline:3px solid #2563eb;outline-offset:1px}
button{margin-top:1.25rem;padding:.6rem 1.2rem;border:0;border-radius:.4rem;font-size:1rem;cursor:pointer;background:#2563eb;color:#fff}
button.secondary{background:#e5e7eb;color:#111827;margin-left:.5rem}
.error{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b;padding:.6rem;border-radius:.4rem}
.warning{background:#fffbeb;border:1px solid #fcd34d;color:#92400e;padding:.6rem;border-radius:.4rem}
.client{display:flex;align-items:center;gap:.75rem;margin-bottom:1rem}
.client img{width:48px;height:48px;object-fit:contain}
ul.scopes{padding-left:1.2rem}
.links{font-size:.9rem;color:#4b5563}
.links a{margin-right:.75rem}
code{word-break:break-all}
`;
