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

function setStatus(text, error) {
  const status = $("status");
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

// Hide the lines the article's header shows already (title, kicker, subtitle, byline).
function hideHeader(cps, marks, article) {
  const known = headerLines(article);
  let lineStart = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i === cps.length || cps[i] === "\n") {
      const line = cps.slice(lineStart, i).join("").replace(/^#+\s*/, "").replace(/\s+/g, "");
      if (line && known.has(line)) for (let j = lineStart; j < i; j++) marks[j] |= HIDE;
      lineStart = i + 1;
    }
  }
}

// The body as paragraphs of runs with the same highlights; a line break after a sentence's end
// is a paragraph, one inside a sentence (a column break) is joined.
function renderBody(cps, marks) {
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
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i], m = marks[i];
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

function termList(title, terms) {
  if (!terms || !terms.length) return null;
  const list = el("ul");
  for (const t of terms) {
    list.append(el("li", { text: `${t.term} ${Number(t.weight).toFixed(2)} (${t.field})` }));
  }
  return el("div", {}, el("strong", { text: title }), list);
}

function renderArticle(page, article, index, furniture) {
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
    ? el("span", { class: "review", text: "⚑ needs an editor's review" })
    : el("span", { class: "review ok", text: "✓ no review needed" });
  header.append(el("div", { class: "desk" },
    el("span", { class: "desk-label", "data-label": c.label || "", text: c.label || "?" }),
    el("span", { class: "confidence", text: `${Math.round((top.score || 0) * 100)}% confidence` }),
    review));

  const story = el("article", { class: "story", id, tabindex: "0", "aria-labelledby": `${id}-title` },
    header, renderBody(cps, marks));
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

async function analyse(event) {
  if (event) event.preventDefault();
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
  $("go").disabled = true;
  setStatus("Analysing…");
  try {
    const response = await fetch("/v1/analyse-page", { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const field = ((answer.details || []).find((d) => d.field_violations) || {}).field_violations;
      const where = field && field[0] ? ` (field: ${field[0].field})` : "";
      setStatus(`${response.status}: ${answer.message || response.statusText}${where}`, true);
      return;
    }
    const page = Array.from(text);
    const results = $("results");
    results.replaceChildren(...answer.articles.map((a, i) => renderArticle(page, a, i, answer.furniture)));
    renderFurniture(page, answer.furniture);
    const flagged = answer.articles.filter((a) => (a.classification || {}).review).length;
    setStatus(`${answer.articles.length} articles; ${flagged} flagged for review.`);
    results.focus();
  } catch (err) {
    setStatus(`The server did not answer: ${err}`, true);
  } finally {
    $("go").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("analyse").addEventListener("submit", analyse);
  $("page").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) analyse(e);
  });
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    if (file) { $("page").value = await file.text(); setStatus(`Opened ${file.name}.`); }
  });
  const saved = sessionStorage.getItem("newsdesk-token");
  if (saved) $("token").value = saved;
  $("token").addEventListener("change", () => sessionStorage.setItem("newsdesk-token", $("token").value));
});
