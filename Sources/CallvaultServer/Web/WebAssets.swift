/// The web UI's one stylesheet, served from `/static/app.css` (no inline styles or scripts:
/// the Content-Security-Policy allows only the server's own files).
enum WebAssets {
    static let stylesheet = """
    :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0a58ca; --bad: #b42318; --good: #146c2e; --bg: #ffffff; --panel: #f6f8fa; }
    * { box-sizing: border-box; }
    html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5; color: var(--ink); background: var(--bg); }
    body { margin: 0; }
    a { color: var(--accent); }
    a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
    .skip { position: absolute; left: -999px; top: 0; background: #ffbf47; color: #000; padding: .5rem 1rem; }
    .skip:focus { left: 0; z-index: 10; }
    header.site { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .5rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
    header.site .brand { font-weight: 700; margin-right: 1rem; }
    header.site nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; }
    header.site nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--ink); }
    header.site .who { margin-left: auto; display: flex; align-items: center; gap: .5rem; color: var(--muted); }
    main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
    h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
    h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
    form.panel, section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1rem 0; }
    .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .75rem 1rem; }
    label { display: block; font-weight: 600; font-size: .9rem; }
    .hint { display: block; font-weight: 400; color: var(--muted); font-size: .8rem; }
    input[type=text], input[type=password], input[type=search], select, textarea { width: 100%; padding: .4rem .5rem; font: inherit; border: 1px solid #8c959f; border-radius: 4px; background: #fff; }
    .check label { display: inline; font-weight: 400; }
    button { font: inherit; padding: .4rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; margin-top: .75rem; }
    button.secondary { background: #fff; color: var(--accent); }
    button.danger { background: var(--bad); border-color: var(--bad); }
    header.site button { margin: 0; padding: .2rem .75rem; }
    table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .95rem; }
    caption { text-align: left; color: var(--muted); padding: .25rem 0; }
    th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
    thead th { background: var(--panel); }
    dl.fields-list { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.5rem; }
    dl.fields-list dt { font-weight: 600; }
    dl.fields-list dd { margin: 0; }
    .message { padding: .75rem 1rem; border-radius: 6px; margin: 1rem 0; border: 1px solid; }
    .message.error { color: var(--bad); border-color: var(--bad); background: #fff5f5; }
    .message.ok { color: var(--good); border-color: var(--good); background: #f3fbf5; }
    .pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
    .muted { color: var(--muted); }
    audio { width: 100%; max-width: 40rem; margin-top: .5rem; }
    .login { max-width: 24rem; margin: 3rem auto; }
    footer.site { padding: 1rem 1.5rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
    code { font-size: .9em; }
    """
}
