// The newsroom page: POST the page to /v1/analyse-page, draw its articles in page order.
// No framework, no build step, nothing fetched but this server's own API.
"use strict";

const LEAD = 1, EV = 2, KW = 4, FURN = 8, HIDE = 16;
const ENDS = new Set(Array.from("。！？!?…”’」』）)：:"));

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// An error interrupts a screen reader (role alert); progress and results wait their turn.
function setStatus(text, error) {
  const status = $("status");
  status.setAttribute("role", error ? "alert" : "status");
  status.setAttribute("aria-live", error ? "assertive" : "polite");
  status.textContent = text;
  status.classList.toggle("error", !!error);
}

// Spans are code points into the page: index an array of code points, never the UTF-16 string.
function mark(marks, spans, bit, start, end) {
  for (const span of spans || []) {
    const a = Math.max(span.start || 0, start), b = Math.min(span.end || 0, end);
    for (let i = a; i < b; i++) marks[i - start] |= bit;
  }
}

function headerLines(article) {
  const parts = [article.title, article.kicker, article.subtitle, article.byline];
  return new Set(parts.filter(Boolean).map((p) => p.replace(/\s+/g, "")));
}

// Hide what the article's header shows already: the title, kicker, subtitle and byline lines
// (a byline printed in brackets, （贵阳日报融媒体中心 代晓龙）, too) and the dateline opening the
// body (本报讯): the header's meta line holds both.
function hideHeader(cps, marks, article) {
  const known = headerLines(article);
  let dateline = (article.dateline || "").replace(/\s+/g, "");
  let lineStart = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i === cps.length || cps[i] === "\n") {
      const line = cps.slice(lineStart, i).join("").replace(/^#+\s*/, "").replace(/\s+/g, "");
      const bare = line.replace(/^[（(]([^（）()]*)[）)]$/, "$1");
      if (line && (known.has(line) || known.has(bare))) {
        for (let j = lineStart; j < i; j++) marks[j] |= HIDE;
      } else if (dateline && line.startsWith(dateline)) {
        for (let j = lineStart, left = dateline.length; j < i && left; j++) {
          marks[j] |= HIDE;
          if (!/\s/.test(cps[j])) left -= 1;
        }
        dateline = ""; // (the body's first: a later line opening alike is text)
      } else if (line && !marks.slice(lineStart, i).every((m) => m & FURN)) {
        dateline = ""; // (only where the body opens)
      }
      lineStart = i + 1;
    }
  }
}

// Where the server's text of the article starts a paragraph, as offsets into the page slice.
// That text is the slice less furniture, header lines and column breaks, so walking both
// (whitespace aside) finds each paragraph's first character in the page.
function paragraphStarts(cps, text) {
  const starts = new Set();
  let i = 0, fresh = false;
  for (const ch of text || "") {
    if (ch === "\n") { fresh = true; continue; }
    if (/\s/.test(ch)) continue;
    let j = i;
    while (j < cps.length && cps[j] !== ch) j++;
    if (j === cps.length) break; // not found: the breaks found so far stand
    if (fresh) starts.add(j);
    fresh = false;
    i = j + 1;
  }
  return starts;
}

// The body as paragraphs of runs with the same highlights: a paragraph where the server's text
// has one (a deck line, a section's head or byline stays apart from the text under it) or a
// line break follows a sentence's end; a line break inside a sentence (a column break) is joined.
function renderBody(cps, marks, starts) {
  const body = el("div", { class: "body" });
  let para = el("p"), run = "", runMark = -1, last = "";
  const flush = () => {
    if (!run) return;
    const cls = [];
    if (runMark & EV) cls.push("ev");
    if (runMark & KW) cls.push("kw");
    let node = cls.length ? el("span", { class: cls.join(" "), text: run }) : document.createTextNode(run);
    if (runMark & LEAD) node = el("mark", { class: "lead" }, node);
    para.append(node);
    run = "";
  };
  let fresh = false; // a paragraph of the server's starts at or before the next shown character
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i], m = marks[i];
    if (starts.has(i)) fresh = true;
    if (m & (HIDE | FURN)) continue;
    if (ch === "\n") {
      if (ENDS.has(last) || (i + 1 < cps.length && cps[i + 1] === " ")) {
        flush();
        if (para.childNodes.length) body.append(para);
        para = el("p");
        last = "";
      }
      continue;
    }
    if (fresh && (run || para.childNodes.length)) {
      flush();
      body.append(para);
      para = el("p");
    }
    fresh = false;
    if (!para.childNodes.length && !run && /\s/.test(ch)) continue;
    const visible = m & (LEAD | EV | KW);
    if (visible !== runMark) { flush(); runMark = visible; }
    run += ch;
    if (!/\s/.test(ch)) last = ch;
  }
  flush();
  if (para.childNodes.length) body.append(para);
  return body;
}

// The lead as the body shows it: the highlighted characters, the hidden ones left out.
function leadText(cps, marks) {
  let text = "";
  for (let i = 0; i < cps.length; i++) {
    if ((marks[i] & LEAD) && !(marks[i] & (HIDE | FURN)) && cps[i] !== "\n") text += cps[i];
  }
  return text.trim();
}

function termList(title, terms) {
  if (!terms || !terms.length) return null;
  const list = el("ul");
  for (const t of terms) {
    list.append(el("li", { text: `${t.term} ${Number(t.weight).toFixed(2)} (${t.field})` }));
  }
  return el("div", {}, el("strong", { text: title }), list);
}

// The model's review thresholds, from GetModel's figures ("review.threshold.<label>"); null when
// they could not be read (the reason then names both causes).
async function reviewCuts(headers) {
  try {
    const response = await fetch("/v1/model", { headers });
    if (!response.ok) return null;
    const cuts = {};
    for (const m of (await response.json()).metrics || []) {
      if (m.name.startsWith("review.threshold.")) cuts[m.name.slice(17)] = m.value;
    }
    return cuts;
  } catch (err) {
    return null;
  }
}

// Why the flag is up: the answer's review_reasons (service/review.py's two causes, either or
// both), the threshold itself from GetModel's figures when they could be read.
const THIN = "the text is too short or too foreign (not mostly Chinese) to file";

function whyReview(top, cuts, reasons) {
  const why = [];
  if (reasons.includes("low_score")) {
    const cut = cuts && cuts[top.label];
    const score = top.score || 0;
    if (cut === undefined) {
      why.push(`its confidence is under the "${top.label}" desk's review threshold`);
    } else {
      // as many decimals as it takes not to read "98% is under 98%", nor a threshold under 1
      // as "100%" (the shipped leadership desk's 0.997 read so: nothing could seem to pass)
      const fixed = (x, d) => (x * 100).toFixed(d);
      let digits = 0;
      while (digits < 3 && (fixed(score, digits) === fixed(cut, digits)
        || (cut < 1 && Number(fixed(cut, digits)) >= 100))) {
        digits += 1;
      }
      const pc = (x) => `${fixed(x, digits)}%`;
      why.push(`${pc(score)} is under the "${top.label}" desk's review threshold of ${pc(cut)}`);
    }
  }
  if (reasons.includes("thin_text")) why.push(THIN);
  return why.length ? why.join("; and ") : "the server gave no reason";
}

function renderArticle(page, article, index, furniture, cuts) {
  const c = article.classification || {};
  const top = (c.scores && c.scores[0]) || { label: c.label, score: 0 };
  const start = article.span.start || 0, end = article.span.end || 0;
  const cps = page.slice(start, end);
  const marks = new Array(cps.length).fill(0);
  mark(marks, (article.summary || {}).spans, LEAD, start, end);
  for (const e of c.evidence || []) mark(marks, e.spans, EV, start, end);
  for (const k of c.keywords || []) mark(marks, k.spans, KW, start, end);
  mark(marks, furniture, FURN, start, end);
  hideHeader(cps, marks, article);

  const id = `article-${index}`;
  const header = el("header", {},
    article.kicker ? el("p", { class: "kicker", text: article.kicker }) : null,
    el("h2", { class: "title", id: `${id}-title`, text: article.title || "(untitled)" }),
    article.subtitle ? el("p", { class: "subtitle", text: article.subtitle }) : null);
  const meta = [article.byline, article.dateline, article.continues && `continues on ${article.continues}`]
    .filter(Boolean).join(" · ");
  if (meta) header.append(el("p", { class: "meta", text: meta }));
  const review = c.review
    ? el("span", { class: "review" }, "⚑ needs an editor's review",
      el("span", { class: "why", text: `: ${whyReview(top, cuts, c.review_reasons || [])}` }))
    : el("span", { class: "review ok", text: "✓ no review needed" });
  header.append(el("div", { class: "desk" },
    el("span", { class: "desk-label", "data-label": c.label || "", text: c.label || "?" }),
    el("span", { class: "confidence", text: `${Math.round((top.score || 0) * 100)}% confidence` }),
    review));

  // The lead is highlighted in pieces (evidence words break it up), which a screen reader reads
  // as fragments: it hears the lead whole here, before the body.
  const lead = leadText(cps, marks);
  if (lead) header.append(el("p", { class: "sr-only", text: `Lead: ${lead}` }));
  const story = el("article", { class: "story", id, tabindex: "0", "aria-labelledby": `${id}-title` },
    header, renderBody(cps, marks, paragraphStarts(cps, article.text)));
  const evidence = termList(`Evidence for ${c.label}`, c.evidence);
  const keywords = termList("Keywords", c.keywords);
  if (evidence || keywords) {
    story.append(el("details", { class: "terms" }, el("summary", { text: "Evidence and keywords" }),
      evidence, keywords));
  }
  if (article.warnings && article.warnings.length) {
    story.append(el("p", { class: "warnings", text: article.warnings.join(" · ") }));
  }
  return story;
}

function renderFurniture(page, spans) {
  const aside = $("furniture"), list = aside.querySelector("ul");
  list.replaceChildren();
  let marks = 0;
  for (const s of spans || []) {
    const text = page.slice(s.start || 0, s.end || 0).join("").trim();
    if (!text || /^#+$/.test(text)) { marks += 1; continue; }
    list.append(el("li", { text }));
  }
  if (marks) list.append(el("li", { text: `${marks} heading marks (##)` }));
  aside.hidden = !list.childNodes.length;
}

// This server's limits on a page, from the OpenAPI document it serves (no token needed):
// { chars, bytes }, or null when it could not be read (the server's own refusal says it then).
let limitsReady = null;

async function fetchLimits() {
  try {
    const response = await fetch("/v1/openapi.json");
    if (!response.ok) return null;
    const doc = await response.json();
    const text = doc.components.schemas["newsdesk.v1.AnalysePageRequest"].properties.text;
    return { chars: text.maxLength, bytes: doc.paths["/v1/analyse-page"].post.requestBody["x-max-bytes"] };
  } catch (err) {
    return null;
  }
}

// Why the server would refuse this page for its size, before it is sent ("" if it would not):
// a paste over them went out whole (megabytes uploaded) only to come back refused.
function overLimit(text, json, limits) {
  if (!limits) return "";
  const split = "split it and analyse the parts one by one. Nothing was sent.";
  if (limits.chars && text.length > limits.chars) { // UTF-16 units: a bound on code points
    let chars = 0;
    for (const _ of text) chars += 1; // code points, as the server counts them
    if (chars > limits.chars) {
      return `This page has ${chars.toLocaleString("en")} characters, over this server's limit of `
        + `${limits.chars.toLocaleString("en")} (--max-page-chars): ${split}`;
    }
  }
  const bytes = new Blob([json]).size; // UTF-8, as it is sent
  if (limits.bytes && bytes > limits.bytes) {
    return `This page makes a request of ${bytes.toLocaleString("en")} bytes, over this server's `
      + `limit of ${limits.bytes.toLocaleString("en")} (--max-message-bytes): ${split}`;
  }
  return "";
}

// The form control an error's field names, so the editor is taken to what to change.
const FIELD_CONTROLS = { text: "page", explain: "explain", keywords: "keywords" };
let busy = false;
let running = null; // the AbortController of the page being analysed

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function showError(response, answer) {
  const field = ((answer.details || []).find((d) => d.field_violations) || {}).field_violations;
  const name = field && field[0] ? field[0].field : "";
  let text = `${response.status}: ${answer.message || response.statusText}`;
  if (name) text += ` (field: ${name})`;
  let control = FIELD_CONTROLS[name];
  if (response.status === 413) { // the server's words are for API callers ("fewer articles")
    text += ": this page is too big to send at once; split it and analyse the parts one by one";
    control = "page";
  }
  if (response.status === 401) {
    text += ": put the server's token in the Token box and press Analyse again.";
    control = "token";
  }
  if (!text.endsWith(".")) text += ".";
  setStatus(text + stale(), true);
  if (control) $(control).focus();
}

// After a failure, articles still on the page are an earlier answer's, not this text's.
function stale() {
  return $("results").childElementCount ? " The articles below are from the analysis before." : "";
}

async function analyse(event) {
  if (event) event.preventDefault();
  if (busy) return; // one page at a time: Ctrl+Enter must not send it twice
  const text = $("page").value;
  if (!text.trim()) { setStatus("Paste a page first (or open a .txt file).", true); $("page").focus(); return; }
  const body = {
    text,
    explain: Number($("explain").value) || 0,
    keywords: Number($("keywords").value) || 0,
  };
  const headers = { "Content-Type": "application/json" };
  const token = $("token").value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  busy = true;
  running = new AbortController();
  $("go").disabled = true;
  $("stop").hidden = false;
  try {
    const json = JSON.stringify(body);
    const limits = await limitsReady;
    if (!limits) limitsReady = fetchLimits(); // unread: again for the next page
    const over = overLimit(text, json, limits);
    if (over) { setStatus(over + stale(), true); $("page").focus(); return; }
    setStatus("Analysing… (Esc or Stop to stop)");
    const cuts = reviewCuts(token ? { Authorization: headers.Authorization } : {});
    const response = await fetch("/v1/analyse-page",
      { method: "POST", headers, body: json, signal: running.signal });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) { showError(response, answer); return; }
    const page = Array.from(text);
    const results = $("results");
    const thresholds = await cuts;
    results.replaceChildren(...answer.articles.map((a, i) => renderArticle(page, a, i, answer.furniture, thresholds)));
    renderFurniture(page, answer.furniture);
    const flagged = answer.articles.filter((a) => (a.classification || {}).review).length;
    let done = answer.articles.length
      ? `${plural(answer.articles.length, "article")}; ${flagged} flagged for review.`
      : "No articles found: the splitter read it all as page furniture, or found no body text. "
        + "Put each title on a line of its own (bare or after ## ) with its text below it.";
    // A note on the whole page (e.g. columns side by side, read as one): said, and in red.
    const notes = answer.warnings || [];
    if (notes.length) done += ` Warning: ${notes.join(" ")}`;
    if ($("page").value !== text) done += " (Drawn from the text as sent; the box has changed since.)";
    setStatus(done, !answer.articles.length || notes.length > 0);
    results.focus();
  } catch (err) {
    if (err.name === "AbortError") {
      setStatus(`Stopped: this page was not analysed.${stale()}`);
      $("page").focus();
    } else {
      setStatus(`The server did not answer (${err}): is it running? The text is still in the box; `
        + `press Analyse page to try again.${stale()}`, true);
    }
  } finally {
    busy = false;
    running = null;
    $("go").disabled = false;
    $("stop").hidden = true;
  }
}

// Stop waiting for the page (the server finishes the request; its answer is not drawn).
function stop() {
  if (running) running.abort();
}

// A .txt file as UTF-8, or else as GB18030 (GBK, GB2312), the other encoding Chinese pages come in.
async function readFile(file) {
  const bytes = await file.arrayBuffer();
  try {
    return [new TextDecoder("utf-8", { fatal: true }).decode(bytes), ""];
  } catch (err) {
    return [new TextDecoder("gb18030").decode(bytes), " It is not UTF-8: read as GB18030 (GBK)."];
  }
}

document.addEventListener("DOMContentLoaded", () => {
  limitsReady = fetchLimits();
  $("analyse").addEventListener("submit", analyse);
  // A box the browser refuses (-1 evidence words) stops the submit before analyse runs: say so
  // in the status too, or it keeps the last page's message under the browser's popup.
  $("analyse").addEventListener("invalid", (e) => {
    if (e.target !== $("analyse").querySelector(":invalid")) return; // the box the popup points at
    const label = e.target.labels && e.target.labels[0] ? e.target.labels[0].textContent.trim() : e.target.name;
    setStatus(`${label}: ${e.target.validationMessage} Nothing was sent.`, true);
  }, true);
  $("stop").addEventListener("click", stop);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && running) stop(); });
  $("page").addEventListener("keydown", (e) => {
    // through the form, so the number boxes are checked as a click on the button checks them
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("analyse").requestSubmit(); }
  });
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    if (!file) return;
    const [text, note] = await readFile(file);
    $("page").value = text;
    setStatus(`Opened ${file.name}.${note}`);
  });
  const saved = sessionStorage.getItem("newsdesk-token");
  if (saved) $("token").value = saved;
  $("token").addEventListener("change", () => sessionStorage.setItem("newsdesk-token", $("token").value));
});
