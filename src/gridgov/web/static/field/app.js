/* E通 — the grid worker's field app. Offline first: every action is written to the IndexedDB
   outbox first and sent when the network is there; the own grid, its data, the modules and the
   tasks come from one cached bundle. See docs/fieldwork.md. */
(function () {
  "use strict";
  const API = "/api/v1";
  const S = window.FieldStore;
  const X = window.GridXPath;
  const CHUNK = 256 * 1024;
  const BATCH = 200;
  const SENT_KEPT = 30;  // the last records sent, with what the server did with them
  const POINTS_PER_SEND = 10;
  const POINT_EVERY_MS = 30000;
  const DUTY_SECONDS = 3 * 3600;
  /* Language: the phone's own choice, switched at once and kept offline (localStorage; the sign-in
     page's cookie or the shell's default the first time). Texts are written in Chinese as
     _("…") and looked up in static/field/messages.json, generated from the .po catalogues
     (make messages) and cached by the service worker with the shell. */
  const LANG_KEY = "gridgov.lang";
  const cookieLang = (document.cookie.match(/(?:^|; )lang=([^;]+)/) || [])[1];
  let lang = (localStorage.getItem(LANG_KEY) || cookieLang || document.documentElement.lang) === "en" ? "en" : "zh";
  let catalogue = {};
  const _ = (text, values) => {
    let out = (lang === "en" && catalogue.en && catalogue.en[text]) || text;
    for (const [k, v] of Object.entries(values || {})) out = out.split(`%(${k})s`).join(String(v));
    return out;
  };
  // Times in the city's zone (GRIDGOV_TIME_ZONE), whatever the phone's own zone; the server's
  // instants without a zone are UTC.
  const CITY_ZONE = document.documentElement.dataset.timeZone || "Asia/Shanghai";
  const localTime = (iso, dateToo = true) => {
    if (!iso) return "";
    const text = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z";
    const options = { timeZone: CITY_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (dateToo) Object.assign(options, { year: "numeric", month: "2-digit", day: "2-digit" });
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", options).format(new Date(text));
  };
  // Codes in words (marked with N_ for the catalogue, translated when shown).
  const N_ = (text) => text;
  const WORDS = {
    task: { open: N_("待接收"), accepted: N_("已接收"), done: N_("已完成"), cancelled: N_("已取消"), refused: N_("已拒绝"), case_verification: N_("案件核查") },
    record: { form: N_("采集表单"), task_result: N_("任务结果"), report: N_("事件上报") },
    report: { stored: N_("已提交"), duplicate: N_("已提交"), rejected: N_("被拒收"), stale: N_("待核查"), invalid: N_("需修改") },
    case: { reported: N_("待受理"), registered: N_("已立案"), cancelled: N_("已作废"), dispatched: N_("已派遣"), accepted: N_("处置中"), handled: N_("待核查"), verified: N_("已核查"), closed: N_("已结案"), on_hold: N_("挂账"), merged: N_("已合并") },
  };
  const word = (kind, code) => (WORDS[kind][code] ? _(WORDS[kind][code]) : code);
  // A task's kind in words: the app's own word, else the admitted type's title (准入), never the code.
  const taskKind = (t) => (WORDS.task[t.kind] ? _(WORDS.task[t.kind]) : t.kind_title || "");
  const categoryName = (code) => {
    const c = ((state.bundle && state.bundle.categories) || []).find((x) => x.code === code);
    return c ? (lang === "en" && c.name_en ? c.name_en : c.name) : code || "";
  };
  const moduleTitle = (code) => {
    const m = ((state.bundle && state.bundle.modules) || []).find((x) => x.code === code);
    return m ? (lang === "en" && m.title_en ? m.title_en : m.title) : code || "";
  };
  const requestWords = (i) => (i.path.startsWith("/field/patrols") ? _("巡查轨迹")
    : /^\/tasks\/\d+\/accept$/.test(i.path) ? _("接收任务")
    : /^\/tasks\/\d+\/refuse$/.test(i.path) ? _("拒绝任务")
    : i.path.startsWith("/lifecycle/diversions") ? _("抽调报告") : _("其他请求"));
  const $ = (sel, root) => (root || document).querySelector(sel);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c.nodeType ? c : String(c));
    return node;
  };
  /* A module's definition is pyxform's JSON form (fieldwork/forms/xlsform.py): its texts are one
     string or one per language name ("中文 (zh)", "English (en)", "default"). */
  const languageCode = (name) => {
    const m = /\(([A-Za-z-]+)\)\s*$/.exec(name);
    const code = (m ? m[1] : name).trim().toLowerCase();
    if (code.startsWith("zh") || name.includes("中文") || code.includes("chinese")) return "zh";
    return code.startsWith("en") || code.includes("english") ? "en" : code;
  };
  const label = (text) => {
    if (!text) return "";
    if (typeof text === "string") return text;
    const byCode = {};
    for (const [name, value] of Object.entries(text)) if (value) byCode[languageCode(name)] = value;
    return byCode[lang] || byCode.zh || byCode.default || byCode.en || Object.values(byCode)[0] || "";
  };
  // pyxform's yes/no words of bind.required (pyxform.aliases.yes_no), else an expression.
  const YES_NO = { yes: true, Yes: true, YES: true, true: true, True: true, TRUE: true, "true()": true, no: false, No: false, NO: false, false: false, False: false, FALSE: false, "false()": false };
  const requiredExpr = (bind) => {
    const v = String(bind.required || "").trim();
    if (!v) return null;
    if (Object.prototype.hasOwnProperty.call(YES_NO, v)) return YES_NO[v] ? "true()" : null;
    return v;
  };
  /* The questions in form order, groups flattened, each with the relevant expressions of the
     groups around it and its own (as the server reads them: xlsform.questions). */
  function questions(def) {
    const out = [];
    (function walk(node, relevants) {
      for (const c of node.children || []) {
        const bind = c.bind || {};
        const scope = bind.relevant ? relevants.concat([bind.relevant]) : relevants;
        if (c.type === "group" || c.type === "repeat") { if (!(c.control && c.control.bodyless)) walk(c, scope); continue; }
        out.push({ node: c, name: c.name, type: c.type, bind, relevants: scope });
      }
    })(def, []);
    return out;
  }
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

  const state = { signedInAt: 0, token: null, bundle: null, syncing: false, resync: false, patrol: null, position: null, view: "home" };

  // ---------------------------------------------------------------- network
  async function api(method, path, body, extraHeaders) {
    const headers = Object.assign({}, extraHeaders || {});
    if (state.token) headers.Authorization = "Bearer " + state.token;
    let payload = body;
    if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response = await fetch(API + path, { method, headers, body: payload });
    if (response.status === 401 && Date.now() - state.signedInAt < 5000) {
      // A fresh sign-in may still be committing on the server: try once more.
      await new Promise((resolve) => setTimeout(resolve, 500));
      response = await fetch(API + path, { method, headers, body: payload });
    }
    if (response.status === 401) { await signOut(false); throw new Error("unauthorized"); }
    return response;
  }
  const online = () => navigator.onLine !== false;

  // ---------------------------------------------------------------- outbox
  async function refreshCount() {
    const items = (await S.outbox()).filter((i) => i.state !== "done");
    const pending = items.filter((i) => i.state === "pending").length;
    const failed = items.filter((i) => i.state === "failed").length;
    const badge = $("#queue-count");
    badge.textContent = String(pending);
    badge.dataset.count = String(pending);
    badge.classList.toggle("zero", pending === 0);
    $("#queue-failed").textContent = failed ? _("%(n)s 条需修改", { n: failed }) : "";
    if (state.view === "queue") renderQueue();
    return pending;
  }

  async function enqueueRecord(record) {
    await S.enqueue({ type: "record", record });
    await refreshCount();
    trySync();
  }
  async function enqueueRequest(method, path, body) {
    await S.enqueue({ type: "request", method, path, body });
    await refreshCount();
    trySync();
  }

  async function uploadBlob(id) {
    const blob = await S.getBlob(id);
    if (!blob) throw new Error("photo missing");
    if (blob.media_id) return blob.media_id;
    let r = await api("POST", "/field/uploads", { id, filename: blob.name || "photo.jpg", content_type: blob.type || blob.blob.type, size: blob.blob.size });
    if (!r.ok) throw Object.assign(new Error("upload refused"), { permanent: r.status < 500, status: r.status });
    let info = await r.json();
    while (info.media_id === null || info.media_id === undefined) {
      const part = blob.blob.slice(info.received, info.received + CHUNK);
      r = await api("PUT", `/field/uploads/${id}?offset=${info.received}`, part, { "Content-Type": "application/octet-stream" });
      if (r.status === 409) { info = await (await api("GET", `/field/uploads/${id}`)).json(); continue; }
      if (!r.ok) throw Object.assign(new Error("upload failed"), { permanent: r.status < 500, status: r.status });
      info = await r.json();
    }
    await S.setBlobMedia(id, info.media_id);
    return info.media_id;
  }

  async function resolvePhotos(record) {
    const data = Object.assign({}, record.data);
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === "string" && v.startsWith("blob:")) data[k] = String(await uploadBlob(v.slice(5)));
      if (Array.isArray(v)) {
        const out = [];
        for (const item of v) out.push(typeof item === "string" && item.startsWith("blob:") ? await uploadBlob(item.slice(5)) : item);
        data[k] = out;
      }
    }
    return Object.assign({}, record, { data });
  }

  async function trySync() {
    if (state.syncing) { state.resync = true; return; }  // the running pass goes round once more
    if (!state.token || !online()) return;
    state.syncing = true;
    state.resync = false;
    setStatus(_("同步中…"));
    try {
      let progress = true;
      while (progress) {
        progress = false;
        const items = (await S.outbox()).filter((i) => i.state === "pending").sort((a, b) => a.seq - b.seq);
        if (!items.length) break;
        const head = items[0];
        if (head.type === "request") {
          // Points carry the phone's clock at sending: the server compares it with its own.
          const body = head.path.endsWith("/points") ? Object.assign({}, head.body, { sent_at: new Date().toISOString() }) : head.body;
          const r = await api(head.method, head.path, body);
          // A refusal (4xx) will not change by re-sending: it is set aside for the worker to see
          // so the requests behind it still go; a timeout or a server error is tried again.
          if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429)) {
            if (r.ok) {
              await S.remove(head.seq);
              // Patrol points dated ahead of the server's clock are refused one by one.
              const answer = await r.json().catch(() => null);
              if (answer && Array.isArray(answer.results) && answer.results.some((x) => x.status === "rejected")) {
                notice(_("手机时间不准，部分定位未计入，请校准手机时间"));
              }
              if (answer && answer.uuid && "clock_flagged" in answer) await noteClock(answer);
            } else { head.state = "failed"; head.error = (await r.text()).slice(0, 300); await S.update(head); }
            progress = true;
          }
          continue;
        }
        // A run of records up to the next request goes as one batch.
        const run = [];
        for (const item of items) { if (item.type !== "record" || run.length >= BATCH) break; run.push(item); }
        const prepared = [];
        for (const item of run) {
          try { prepared.push(await resolvePhotos(item.record)); }
          catch (e) {
            if (e.permanent) { item.state = "failed"; item.error = e.message; await S.update(item); progress = true; }
            else throw e;
          }
        }
        if (!prepared.length) continue;
        const r = await api("POST", "/field/sync", { records: prepared });
        if (!r.ok) break;
        const { results } = await r.json();
        const sent = (await S.get("sent")) || [];
        for (const result of results) {
          const item = run.find((i) => i.record.uuid === result.uuid);
          if (!item) continue;
          if (result.status === "invalid") {
            item.state = "failed";
            item.error = result.errors.map((e) => `${e.field}: ${lang === "en" ? e.message_en : e.message}`).join("; ");
            await S.update(item);
          } else {
            // stored, duplicate (an earlier send got through), rejected/stale (kept for review)
            await S.remove(item.seq);
            sent.unshift({ at: new Date().toISOString(), record: { kind: item.record.kind, module: item.record.module, category: (item.record.data || {}).category },
              result: { status: result.status, effect: result.effect, review: result.review, errors: result.errors } });
            if (result.review || result.status === "rejected" || result.status === "stale" || result.effect === "error") notice(resultWords(result));
          }
        }
        await S.set("sent", sent.slice(0, SENT_KEPT));
        progress = true;
      }
      setStatus("");
      await refreshBundle();
    } catch (e) {
      setStatus(_("网络中断，稍后重试"));
    } finally {
      state.syncing = false;
      await refreshCount();
    }
    // Something was queued while this pass was busy (e.g. the end of a patrol right after its
    // points): send it now rather than at the next 30-second tick.
    if (state.resync) trySync();
  }

  // ---------------------------------------------------------------- bundle
  async function refreshBundle() {
    if (!state.token || !online()) return;
    try {
      const r = await api("GET", "/field/bundle");
      if (!r.ok) return;
      state.bundle = await r.json();
    } catch (e) { return; /* offline: keep the cached bundle */ }
    await S.set("bundle", state.bundle);
    renderHeader();
    if (["home", "tasks", "patrol"].includes(state.view)) show(state.view);
  }

  // ---------------------------------------------------------------- views
  function setStatus(text) { $("#status").textContent = text; }
  function notice(text) { const n = $("#notice"); n.textContent = text; n.hidden = false; setTimeout(() => { n.hidden = true; }, 5000); }
  function renderHeader() {
    const grid = state.bundle && state.bundle.grid;
    $("#grid-name").textContent = grid ? `${grid.name} · ${grid.code}` : "";
    $("#net").textContent = online() ? _("在线") : _("离线");
    $("#net").className = online() ? "net on" : "net off";
  }

  const VIEWS = { home: renderHome, forms: renderForms, report: renderReport, tasks: renderTasks, mine: renderMine, queue: renderQueue, patrol: renderPatrol };
  function show(view) {
    if (!VIEWS[view]) view = "tasks";  // a task's own form ("task") comes back to the list
    state.view = view;
    for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.view === view);
    const main = $("#main");
    main.replaceChildren();
    VIEWS[view](main);
  }

  function renderHome(main) {
    const b = state.bundle;
    if (!b) { main.append(el("p", {}, _("正在加载网格数据…"))); return; }
    main.append(el("section", { class: "card", id: "grid-card", "data-grid": b.grid ? b.grid.code : "" },
      el("h2", {}, b.grid ? b.grid.name : _("未分配网格")),
      el("div", { id: "map", class: "map" }),
      el("p", { class: "muted" }, _("设施 %(facilities)s · 房屋 %(houses)s · 户 %(households)s · 待办任务 %(tasks)s", { facilities: b.facilities.length, houses: b.houses.length, households: b.households.length, tasks: b.tasks.length }))));
    main.append(dutyCard());
    drawMap($("#map"), b);
  }

  /* The day's time inside the own grid as the server computed it from the synced track (points
     still in the phone's queue count once they arrive). */
  function dutyCard() {
    const duty = state.bundle && state.bundle.duty;
    const seconds = duty ? duty.seconds_inside : 0;
    const minutes = Math.floor(seconds / 60), dutyMinutes = DUTY_SECONDS / 60;
    const pct = Math.min(100, Math.round((seconds / DUTY_SECONDS) * 100));
    // The server found the phone's clock off (patrol.clock_flagged): said until it is right.
    const flagged = duty ? (duty.patrols || []).find((p) => p.clock_flagged) : null;
    const drift = state.clock || (flagged ? { drift_s: flagged.clock_drift_s || 0 } : null);
    return el("section", { class: "card", id: "duty-card" },
      el("h3", {}, _("今日网格内巡查")),
      drift ? el("p", { class: "error", id: "clock-flag", "data-drift": String(drift.drift_s) }, clockWords(drift)) : null,
      el("div", { class: "bar" }, el("span", { style: `width:${pct}%` })),
      el("p", { id: "duty", "data-seconds": String(seconds), "data-met": duty && duty.met ? "1" : "0" },
        _("%(minutes)s 分钟 / %(duty)s 分钟", { minutes, duty: dutyMinutes }), duty && duty.met ? " ✔" : ""),
      el("small", { class: "muted" }, _("按同步到服务器的轨迹计算")));
  }

  function drawMap(node, b) {
    if (!b.grid) return;
    const geometry = b.grid.geometry;
    if (window.L) {
      const map = L.map(node, { attributionControl: false, zoomControl: true });
      const layer = L.geoJSON(geometry, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.08 } });
      map.fitBounds(layer.getBounds());  // vector layers need the view before they are added
      layer.addTo(map);
      for (const f of b.facilities.slice(0, 500)) L.circleMarker([f.lat, f.lng], { radius: 3, color: "#2c3e50", className: "facility" }).bindTooltip(f.name).addTo(map);
      window.gridgovFieldMap = map; // for tests and the browser console
      if (window.gridgovBasemap && online()) window.gridgovBasemap(map);  // roads and compounds
      return;
    }
    // No Leaflet (not vendored): draw the grid as SVG, which also works offline.
    const [minX, minY, maxX, maxY] = b.grid.bbox;
    const w = 300, h = 300, sx = w / (maxX - minX || 1), sy = h / (maxY - minY || 1), s = Math.min(sx, sy);
    const pt = ([x, y]) => `${((x - minX) * s).toFixed(1)},${(h - (y - minY) * s).toFixed(1)}`;
    const rings = geometry.type === "Polygon" ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    for (const ring of rings) {
      const poly = document.createElementNS(svg.namespaceURI, "polygon");
      poly.setAttribute("points", ring.map(pt).join(" "));
      poly.setAttribute("class", "grid-shape");
      svg.append(poly);
    }
    for (const f of b.facilities.slice(0, 500)) {
      const c = document.createElementNS(svg.namespaceURI, "circle");
      const [cx, cy] = pt([f.lng, f.lat]).split(",");
      c.setAttribute("cx", cx); c.setAttribute("cy", cy); c.setAttribute("r", "2.5");
      svg.append(c);
    }
    node.append(svg);
  }

  // ----- forms rendered from the module definition
  function renderForms(main) {
    const modules = (state.bundle && state.bundle.modules) || [];
    main.append(el("h2", {}, _("采集模块")));
    const list = el("ul", { class: "list" });
    for (const m of modules) list.append(el("li", {}, el("button", { class: "link", "data-module": m.code, onclick: () => openForm(main, m) }, lang === "en" && m.title_en ? m.title_en : m.title)));
    main.append(list);
  }

  /* A search box over a long picker (hundreds of residents or addresses in one grid): typing
     keeps the matching entries (name, masked ID, address) and chooses the first; offline too. */
  function finder(select, options, name) {
    const box = el("input", { type: "search", name, class: "finder", autocomplete: "off", placeholder: _("输入姓名、证件号后几位或地址查找") });
    box.addEventListener("input", () => {
      const q = box.value.trim().toLowerCase();
      let chosen = null;
      for (const o of options) {
        o.hidden = q !== "" && !o.textContent.toLowerCase().includes(q);
        if (!o.hidden && !chosen) chosen = o;
      }
      if (q && chosen) select.value = chosen.value;
      box.dataset.matches = String(options.filter((o) => !o.hidden).length);
    });
    return box;
  }

  function openForm(main, module, task) {
    if (task) state.view = "task";  // a bundle refresh re-renders the list views, not this form
    main.replaceChildren();
    const def = module.definition;
    const form = el("form", { class: "card", id: "module-form", "data-module": module.code, novalidate: true });
    form.append(el("h2", {}, lang === "en" && module.title_en ? module.title_en : module.title));
    // A module that carries a person's identity registers a newcomer unless an existing
    // resident is chosen (see fieldwork/sync/newcomers.py); other modules may name their record.
    const identity = carriesIdentity(module);
    if (["house", "household", "person"].includes(module.target) && !task) {
      const rows = { house: state.bundle.houses, household: state.bundle.households, person: state.bundle.persons || [] }[module.target];
      const options = rows.map((r) => el("option", { value: `${r.id}:${r.version}` }, module.target === "person" ? `${r.name} ${r.id_number_masked}` : r.address || r.household_no));
      const first = identity ? el("option", { value: "new" }, _("新居民（迁入登记）")) : el("option", { value: "" }, "—");
      const subject = el("select", { name: "__subject" }, first, options);
      form.append(el("label", {}, identity ? _("登记对象") : _("对象（可选）"), finder(subject, options, "__find_subject"), subject));
      if (identity) {
        const houses = state.bundle.houses.map((h) => el("option", { value: String(h.id) }, h.address));
        const household = el("select", { name: "__household" }, el("option", { value: "" }, _("不新建户")), houses);
        form.append(el("div", { class: "field", "data-field": "new_household" },
          el("label", {}, _("新建户（可选）")), finder(household, houses, "__find_house"), household,
          el("small", { class: "error" })));
      }
    }
    (function renderChildren(container, node) {
      for (const c of node.children || []) {
        if (c.type === "group") {
          if (c.control && c.control.bodyless) continue;  // pyxform's meta/instanceID
          const set = el("fieldset", { class: "group", "data-group": c.name }, el("legend", {}, label(c.label)));
          renderChildren(set, c);
          container.append(set);
        } else if (c.type !== "calculate") container.append(renderQuestion(c));
      }
    })(form, def);
    form.append(el("button", { type: "submit", class: "primary" }, _("保存（离线可用）")));
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const { values, errors } = evaluate(def, form);
      if (identity) for (const [k, v] of Object.entries(identityErrors(def, values))) errors[k] = errors[k] || v;
      showErrors(form, errors);
      if (Object.keys(errors).length) return;
      const data = {};
      for (const q of questions(def)) {
        if (values[q.name] === undefined || ["note", "calculate"].includes(q.type)) continue;
        if (q.type === "photo") {
          const file = form.querySelector(`[name="${q.name}"]`).files[0];
          if (!file) continue;
          const id = uuid();
          await S.putBlob(id, file, file.name, file.type);
          data[q.name] = "blob:" + id;
        } else data[q.name] = values[q.name];
      }
      const record = { uuid: uuid(), kind: task ? "task_result" : "form", module: module.code, module_version: module.version, data, collected_at: new Date().toISOString() };
      if (task) record.task_id = task.id;
      const subject = form.querySelector('[name="__subject"]');
      if (subject && subject.value && subject.value !== "new") {
        const [id, version] = subject.value.split(":");
        Object.assign(record, { subject_type: module.target, subject_id: id, base_version: Number(version) });
      }
      const household = form.querySelector('[name="__household"]');
      if (subject && subject.value === "new" && household.value) record.new_household = { house_id: Number(household.value) };
      const p = state.position;
      if (p) Object.assign(record, { lng: p.lng, lat: p.lat });
      await enqueueRecord(record);
      notice(_("已保存，待同步"));
      show(task ? "tasks" : "forms");
    });
    main.append(form);
    function update() {
      const { relevant } = evaluate(def, form);
      for (const q of questions(def)) { const w = form.querySelector(`[data-field="${q.name}"]`); if (w) w.hidden = !relevant[q.name]; }
      // A group shows while one of its questions does.
      for (const set of form.querySelectorAll("fieldset[data-group]")) set.hidden = ![...set.querySelectorAll(".field")].some((w) => !w.hidden);
      const household = form.querySelector('[data-field="new_household"]');
      if (household) household.hidden = form.querySelector('[name="__subject"]').value !== "new";
    }
    update();
  }

  function renderQuestion(f) {
    const name = f.name, bind = f.bind || {}, wrap = el("div", { class: "field", "data-field": name });
    if (f.type === "note") { wrap.append(el("p", { class: "note" }, label(f.label))); return wrap; }
    const title = label(f.label) + (requiredExpr(bind) === "true()" ? " *" : "");
    let input;
    if (f.type === "select one") {
      input = el("select", { name }, el("option", { value: "" }, "—"), f.choices.map((c) => el("option", { value: c.name }, label(c.label))));
    } else if (f.type === "select all that apply") {
      input = el("div", { class: "checks" }, f.choices.map((c) => el("label", { class: "check" }, el("input", { type: "checkbox", name, value: c.name }), label(c.label))));
    } else if (f.type === "geopoint") {
      input = el("div", { class: "geo" }, el("input", { name, readonly: true, placeholder: _("未定位") }),
        el("button", { type: "button", onclick: async (e) => { const p = await locate(); e.target.previousSibling.value = p ? `${p.lat} ${p.lng}` : ""; e.target.form.dispatchEvent(new Event("change")); } }, _("定位")));
    } else if (f.type === "photo") {
      input = el("input", { type: "file", name, accept: "image/jpeg,image/png,image/webp", capture: "environment" });
    } else {
      const type = { integer: "number", decimal: "number", date: "date" }[f.type] || "text";
      input = el("input", { name, type, step: f.type === "decimal" ? "any" : null, inputmode: f.type === "integer" ? "numeric" : null });
    }
    wrap.append(el("label", {}, title), input, el("small", { class: "error" }));
    if (f.hint) wrap.append(el("small", { class: "muted" }, label(f.hint)));
    return wrap;
  }

  function readValue(form, f) {
    if (f.type === "select all that apply") return [...form.querySelectorAll(`[name="${f.name}"]:checked`)].map((i) => i.value);
    const input = form.querySelector(`[name="${f.name}"]`);
    if (!input) return "";
    if (f.type === "photo") return input.files && input.files[0] ? "photo" : "";
    const v = input.value.trim();
    if (v === "") return "";
    if (f.type === "integer" || f.type === "decimal") return Number(v);
    return v;
  }

  /* The same order of rules as the server (fieldwork/forms/validate.py): values, calculations,
     relevance (the groups' and the question's own), required, constraint. */
  function evaluate(def, form) {
    const env = {}, values = {}, relevant = {}, errors = {};
    const qs = questions(def);
    for (const q of qs) {
      if (["note", "calculate"].includes(q.type)) continue;
      const v = readValue(form, q);
      values[q.name] = v;
      env[q.name] = Array.isArray(v) ? v.join(" ") : v;
    }
    for (const q of qs) if (q.type === "calculate" && q.bind.calculate) { let r = X.evaluate(q.bind.calculate, env); if (typeof r === "number" && Number.isNaN(r)) r = ""; env[q.name] = r; values[q.name] = r; }
    for (const q of qs) {
      relevant[q.name] = q.relevants.every((e) => X.toBool(X.evaluate(e, env)));
      if (q.type === "note") continue;
      if (!relevant[q.name]) { env[q.name] = ""; delete values[q.name]; continue; }
      const v = values[q.name];
      const empty = v === "" || v === undefined || (Array.isArray(v) && !v.length);
      const required = requiredExpr(q.bind);
      if (empty) {
        delete values[q.name];
        if (required && X.toBool(X.evaluate(required, env))) errors[q.name] = _("必填");
        continue;
      }
      if ((q.type === "integer" && !Number.isInteger(v)) || (q.type === "decimal" && Number.isNaN(v))) { errors[q.name] = _("数字格式不对"); continue; }
      if (q.bind.constraint && !X.toBool(X.evaluate(q.bind.constraint, env, env[q.name]))) errors[q.name] = label(q.bind["jr:constraintMsg"]) || _("不符合要求");
    }
    return { values, relevant, errors };
  }

  const carriesIdentity = (module) => module.target === "person"
    && ["name", "id_number"].every((a) => questions(module.definition).some((q) => q.node.gridgov_field === a));

  /* GB 11643, as the server checks it (people/identifiers.py): format, check digit, and the sex
     and birth date the number carries, so a typo is caught before the record is queued. */
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function identityErrors(def, values) {
    const field = (attribute) => questions(def).find((q) => q.node.gridgov_field === attribute);
    const id = field("id_number"), sex = field("sex"), birth = field("birth_date");
    const n = String(values[id.name] || "").trim().toUpperCase();
    if (!n) return {};
    if (!/^[0-9]{17}[0-9X]$/.test(n)) return { [id.name]: _("身份证号应为18位（前17位数字，末位数字或X）") };
    const sum = ID_WEIGHTS.reduce((total, w, i) => total + w * Number(n[i]), 0);
    if ("10X98765432"[sum % 11] !== n[17]) return { [id.name]: _("身份证号校验码错误") };
    const errors = {};
    if (sex && values[sex.name] && values[sex.name] !== (Number(n[16]) % 2 ? "M" : "F")) errors[sex.name] = _("性别与身份证号不一致");
    if (birth && values[birth.name] && values[birth.name] !== `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`) errors[birth.name] = _("出生日期与身份证号不一致");
    return errors;
  }

  function showErrors(form, errors) {
    for (const w of form.querySelectorAll(".field")) { const e = w.querySelector(".error"); if (e) e.textContent = errors[w.dataset.field] || ""; }
    const first = Object.keys(errors)[0];
    if (first) form.querySelector(`[data-field="${first}"]`).scrollIntoView({ block: "center" });
  }

  // ----- problem report
  function renderReport(main) {
    const categories = (state.bundle && state.bundle.categories) || [];
    const form = el("form", { class: "card", id: "report-form" },
      el("h2", {}, _("问题上报")),
      el("label", {}, _("类别 *"), el("select", { name: "category", required: true }, el("option", { value: "" }, "—"),
        categories.map((c) => el("option", { value: c.code }, `${c.code} ${lang === "en" ? c.name_en : c.name}`)))),
      el("label", {}, _("照片"), el("input", { type: "file", name: "photos", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true })),
      el("label", {}, _("描述"), el("textarea", { name: "description", maxlength: "4000", rows: "4" })),
      el("p", { class: "muted", id: "report-position" }, _("位置：定位中…")),
      el("small", { class: "error", id: "report-error" }),
      el("button", { type: "submit", class: "primary" }, _("上报（离线可用）")));
    locate().then((p) => { const n = $("#report-position"); if (n) n.textContent = p ? `${_("位置")}: ${p.lat.toFixed(5)}, ${p.lng.toFixed(5)}` : _("无法定位"); });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const category = form.category.value;
      const p = state.position || (await locate());
      if (!category || !p) { $("#report-error").textContent = !category ? _("请选择类别") : _("需要位置"); return; }
      const photos = [];
      for (const file of form.photos.files) { const id = uuid(); await S.putBlob(id, file, file.name, file.type); photos.push("blob:" + id); }
      await enqueueRecord({ uuid: uuid(), kind: "report", data: { category, description: form.description.value, photos }, lng: p.lng, lat: p.lat, collected_at: new Date().toISOString() });
      notice(_("已上报，待同步"));
      show("mine");
    });
    main.append(form);
  }

  async function renderMine(main) {
    main.append(el("h2", {}, _("我的上报")));
    const pending = (await S.outbox()).filter((i) => i.type === "record" && i.record.kind === "report");
    const list = el("ul", { class: "list", id: "my-reports" });
    for (const i of pending) list.append(el("li", { class: "pending" }, `${categoryName(i.record.data.category)} · ${_("待同步")}`));
    main.append(list);
    try {
      const r = await api("GET", "/field/submissions?kind=report");
      if (r.ok) for (const s of await r.json()) list.append(el("li", { "data-state": s.case_state || s.state }, `${categoryName(s.data.category)} · ${s.case_number || ""} · ${s.case_state ? word("case", s.case_state) : word("report", s.state)}`));
    } catch (e) { list.append(el("li", { class: "muted" }, _("离线：仅显示待同步的上报"))); }
    if (!list.childElementCount) list.append(el("li", { class: "muted" }, _("暂无上报")));
  }

  // ----- tasks
  function renderTasks(main) {
    const tasks = (state.bundle && state.bundle.tasks) || [];
    main.append(el("h2", {}, _("我的任务")));
    if (!tasks.length) main.append(el("p", { class: "muted" }, _("暂无任务")));
    for (const t of tasks) {
      const module = t.module_code && state.bundle.modules.find((m) => m.code === t.module_code);
      main.append(el("section", { class: "card task", "data-task": t.id },
        el("h3", {}, t.title), el("p", { class: "muted" }, [taskKind(t), word("task", t.state), t.due_at ? _("期限 ") + localTime(t.due_at) : ""].filter(Boolean).join(" · ")),
        t.admission_ref ? el("p", { class: "muted admission" }, _("准入依据：") + t.admission_ref) : null,
        t.description ? el("p", { class: "task-text" }, t.description) : null,
        t.state === "open" ? el("button", { onclick: async () => { t.state = "accepted"; await enqueueRequest("POST", `/tasks/${t.id}/accept`); show("tasks"); } }, _("接收")) : null,
        el("button", { class: "primary", onclick: () => (module ? openForm($("#main"), module, t) : verifyForm($("#main"), t)) }, _("办理")),
        t.kind === "case_verification" ? null : el("button", { class: "refuse", onclick: () => refuseForm($("#main"), t) }, _("拒绝"))));
    }
    proxyForm(main);
    diversionForm(main);
  }

  // Open a proxy service (代办) for a resident of the grid, offline too: the request is queued.
  function proxyForm(main) {
    const services = (state.bundle && state.bundle.services) || [];
    const persons = (state.bundle && state.bundle.persons) || [];
    if (!services.length || !persons.length) return;
    const form = el("form", { class: "card", id: "proxy-form" }, el("h3", {}, _("为居民开启代办")),
      el("label", {}, _("居民"), el("select", { name: "person_id", required: true }, persons.map((p) => el("option", { value: String(p.id) }, `${p.name} ${p.id_number_masked}`)))),
      el("label", {}, _("代办事项"), el("select", { name: "code", required: true }, services.map((s) => el("option", { value: s.code }, lang === "en" ? s.title_en : s.title)))),
      el("button", { type: "submit" }, _("开启（离线可用）")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      await enqueueRequest("POST", "/lifecycle/services", { code: form.code.value, person_id: Number(form.person_id.value) });
      notice(_("已保存，待同步"));
    });
    main.append(form);
  }

  // A worker pulled into duties outside the system reports it (准入): it goes to the
  // admission office and counts in the worker's favour. Queued like every other request.
  function diversionForm(main) {
    const form = el("form", { class: "card", id: "diversion-form" }, el("h3", {}, _("报告被抽调从事其他工作")),
      el("label", {}, _("日期"), el("input", { name: "day", type: "date", required: true, value: new Date().toISOString().slice(0, 10) })),
      el("label", {}, _("时长（分钟）"), el("input", { name: "minutes", type: "number", min: "1", max: "1440", required: true })),
      el("label", {}, _("抽调单位"), el("select", { name: "department_code" }, el("option", { value: "" }, _("其他单位（请填写）")),
        ...((state.bundle && state.bundle.departments) || []).map((d) => el("option", { value: d.code }, lang === "en" && d.name_en ? d.name_en : d.name)))),
      el("label", {}, _("其他单位名称"), el("input", { name: "requested_by", maxlength: "100" })),
      el("label", {}, _("工作内容"), el("textarea", { name: "description", rows: "2", required: true })),
      el("button", { type: "submit" }, _("提交（离线可用）")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!form.department_code.value && !form.requested_by.value.trim()) { notice(_("请填写抽调单位")); return; }
      await enqueueRequest("POST", "/lifecycle/diversions", { day: form.day.value, minutes: Number(form.minutes.value), department_code: form.department_code.value || null, requested_by: form.requested_by.value, description: form.description.value });
      notice(_("已保存，待同步"));
      form.reset();
    });
    main.append(form);
  }

  // Refuse a task: a reason from the list and/or a note; refusing with neither is allowed but
  // counts against the worker in the evaluation (the form says so). Queued like every request.
  function refuseForm(main, task) {
    state.view = "task";  // a bundle refresh re-renders the list views, not this form
    main.replaceChildren();
    const reasons = (state.bundle && state.bundle.refusal_reasons) || [];
    const form = el("form", { class: "card", id: "refuse-form" }, el("h2", {}, _("拒绝任务") + " · " + task.title),
      el("label", {}, _("拒绝理由"), el("select", { name: "reason" }, el("option", { value: "" }, _("（不说明理由）")),
        reasons.map((r) => el("option", { value: r.code }, lang === "en" && r.name_en ? r.name_en : r.name)))),
      el("label", {}, _("说明"), el("textarea", { name: "note", rows: "3", maxlength: "500" })),
      el("p", { class: "muted" }, _("不说明理由拒绝任务会在考评中扣分。")),
      el("button", { type: "submit", class: "primary" }, _("确认拒绝")),
      el("button", { type: "button", onclick: () => show("tasks") }, _("返回")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { reason: form.reason.value || null, note: form.note.value.trim() || null };
      await enqueueRequest("POST", `/tasks/${task.id}/refuse`, body);
      state.bundle.tasks = state.bundle.tasks.filter((t) => t.id !== task.id);
      await S.set("bundle", state.bundle);
      notice(_("已保存，待同步"));
      show("tasks");
    });
    main.append(form);
  }

  function verifyForm(main, task) {
    state.view = "task";  // a bundle refresh re-renders the list views, not this form
    main.replaceChildren();
    const form = el("form", { class: "card" }, el("h2", {}, task.title),
      el("label", {}, _("结论"), el("select", { name: "result" }, el("option", { value: "pass" }, _("通过")), el("option", { value: "fail" }, _("不通过")))),
      el("label", {}, _("说明"), el("textarea", { name: "note", rows: "3" })),
      el("label", {}, _("照片"), el("input", { type: "file", name: "photos", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true })),
      el("button", { type: "submit", class: "primary" }, _("提交")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      // Photos wait in the phone like the report's (uploaded before the record when online).
      const photos = [];
      for (const file of form.photos.files) { const id = uuid(); await S.putBlob(id, file, file.name, file.type); photos.push("blob:" + id); }
      await enqueueRecord({ uuid: uuid(), kind: "task_result", task_id: task.id, data: { result: form.result.value, note: form.note.value, photos }, collected_at: new Date().toISOString() });
      state.bundle.tasks = state.bundle.tasks.filter((t) => t.id !== task.id);
      await S.set("bundle", state.bundle);
      show("tasks");
    });
    main.append(form);
  }

  // ----- patrol: a point every 30 s, sent 10 at a time through the outbox (so points taken
  // without signal wait there like everything else); the time inside is the server's.
  function renderPatrol(main) {
    main.append(dutyCard());
    const running = state.patrol;
    const synced = running && state.bundle && state.bundle.duty ? state.bundle.duty.patrols.find((p) => p.uuid === running.uuid) : null;
    main.append(el("section", { class: "card", id: "patrol-card", "data-running": running ? "1" : "0" },
      el("h3", {}, running ? _("巡查中") : _("巡查")),
      el("p", { id: "patrol-info", "data-count": running ? String(running.count) : "0" }, patrolInfo()),
      running ? el("p", { id: "patrol-server", class: "muted", "data-points": synced ? String(synced.point_count) : "0" },
        synced ? _("服务器已收到 %(points)s 个点，本次网格内 %(minutes)s 分钟", { points: synced.point_count, minutes: Math.floor(synced.seconds_inside / 60) })
          : _("尚未同步")) : null,
      el("button", { class: "primary", id: running ? "patrol-end" : "patrol-start", onclick: running ? endPatrol : startPatrol }, running ? _("结束巡查") : _("开始巡查"))));
  }
  function patrolInfo() {
    const running = state.patrol;
    if (!running) return _("开始后每 30 秒记录一次位置");
    return _("已记录 %(count)s 个点（%(batch)s 个待打包）", { count: running.count, batch: running.buffer.length });
  }

  async function startPatrol() {
    state.patrol = { uuid: uuid(), count: 0, buffer: [], last: null };
    await S.set("patrol", state.patrol);
    await enqueueRequest("POST", "/field/patrols", { uuid: state.patrol.uuid, started_at: new Date().toISOString() });
    state.patrolTimer = setInterval(recordPoint, POINT_EVERY_MS);
    await recordPoint();
    show("patrol");
  }
  async function recordPoint() {
    if (!state.patrol) return;
    // The time of the fix is when it was asked for: waiting for the GPS must not shift it.
    const t = new Date().toISOString();
    // A fresh fix or none: an old position stamped with a new time would place the worker
    // where they no longer are.
    const p = await locate({ maxAge: 0, fallback: false });
    const patrol = state.patrol;
    if (!p || !patrol || patrol.last === t) return;
    patrol.buffer.push({ t, lng: p.lng, lat: p.lat, accuracy: p.accuracy });
    patrol.last = t;
    patrol.count += 1;
    if (patrol.buffer.length >= POINTS_PER_SEND) await flushPoints();
    await S.set("patrol", patrol);
    const info = $("#patrol-info");
    if (info) { info.textContent = patrolInfo(); info.dataset.count = String(patrol.count); }
  }
  async function flushPoints() {
    if (!state.patrol || !state.patrol.buffer.length) return;
    const points = state.patrol.buffer.splice(0);
    await S.set("patrol", state.patrol);
    await enqueueRequest("POST", `/field/patrols/${state.patrol.uuid}/points`, { points });
  }
  async function endPatrol() {
    clearInterval(state.patrolTimer);
    await recordPoint();
    await flushPoints();
    const ended = state.patrol;
    state.patrol = null;
    await S.del("patrol");
    await enqueueRequest("POST", `/field/patrols/${ended.uuid}/end`, { ended_at: new Date().toISOString() });
    show("patrol");
  }

  // ----- queue
  async function renderQueue(main) {
    main = main || $("#main");
    // Renders overlap (a sync pass, a language switch): only the newest one draws.
    const turn = (state.queueTurn = (state.queueTurn || 0) + 1);
    const outbox = await S.outbox();
    const sent = (await S.get("sent")) || [];
    if (turn !== state.queueTurn || state.view !== "queue") return;
    const list = el("ul", { class: "list", id: "queue-list" });
    for (const i of outbox) {
      const what = i.type === "record" ? recordWhat({ kind: i.record.kind, module: i.record.module, category: i.record.data.category }) : requestWords(i);
      list.append(el("li", { class: i.state }, `${localTime(i.created_at, false)} · ${what}`, i.error ? el("small", { class: "error" }, " " + i.error) : null,
        i.state === "failed" ? el("button", { class: "link", onclick: async () => { await S.remove(i.seq); refreshCount(); } }, _("删除")) : null));
    }
    main.replaceChildren(el("h2", {}, _("待同步")), list, el("button", { class: "primary", onclick: trySync }, _("立即同步")));
    if (!sent.length) return;
    // What the server did with the last records sent (SyncResult: status, effect, review).
    const done = el("ul", { class: "list", id: "sent-list" });
    for (const s of sent) {
      const r = s.result;
      done.append(el("li", { class: r.effect === "error" || r.review || r.status === "rejected" || r.status === "stale" ? "failed" : "done", "data-status": r.status, "data-effect": r.effect || "" },
        `${localTime(s.at, false)} · ${recordWhat(s.record)} · `, el("strong", {}, resultWords(r))));
    }
    main.append(el("h2", {}, _("最近发送")), done);
  }
  function recordWhat(record) {
    return `${word("record", record.kind)} ${record.module ? moduleTitle(record.module) : categoryName(record.category)}`;
  }
  /* What the server did with a record, in the worker's words (SyncResult: status, effect). */
  function resultWords(r) {
    if (r.review === "id_exists") return _("该居民已在人口库中登记，记录已交主管核查");
    if (r.status === "stale") return _("资料已被他人修改，记录已交主管核查");
    if (r.status === "rejected") return _("同一编号已有不同内容，记录已交主管核查");
    if (r.effect === "error") {
      const e = (r.errors || [])[0] || {};
      const why = lang === "en" ? (e.message_en || e.reason) : (e.message || e.reason);
      return why ? _("已保存，但未能生效：%(reason)s", { reason: why }) : _("已保存，但未能生效");
    }
    return r.status === "duplicate" ? _("此前已保存") : _("已保存");
  }
  // ----- the phone's clock against the server's (patrol time is counted by the server's)
  async function noteClock(patrol) {
    const before = state.clock;
    if (!patrol.clock_flagged) {
      // A later patrol the server found on time: the clock was set right meanwhile.
      if (before && before.uuid !== patrol.uuid) { state.clock = null; await S.del("clock"); }
      return;
    }
    const clock = { drift_s: patrol.clock_drift_s || 0, uuid: patrol.uuid };
    state.clock = clock;
    await S.set("clock", clock);
    if ((!before || before.drift_s !== clock.drift_s) && ["home", "patrol"].includes(state.view)) show(state.view);
  }
  function clockWords(clock) {
    const minutes = Math.max(1, Math.round(Math.abs(clock.drift_s) / 60));
    return clock.drift_s > 0
      ? _("手机时间比服务器快约 %(minutes)s 分钟，巡查时长按服务器时间计算，请校准手机时间", { minutes })
      : _("手机时间比服务器慢约 %(minutes)s 分钟，巡查时长按服务器时间计算，请校准手机时间", { minutes });
  }

  // ---------------------------------------------------------------- position
  /* The phone's position; without a fix the last known one (for forms and reports), or null
     when ``fallback`` is false (patrol points). */
  function locate(options) {
    const o = Object.assign({ maxAge: 20000, fallback: true }, options);
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(o.fallback ? state.position : null);
      navigator.geolocation.getCurrentPosition(
        (pos) => { state.position = { lng: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy }; resolve(state.position); },
        () => resolve(o.fallback ? state.position : null), { enableHighAccuracy: true, timeout: 10000, maximumAge: o.maxAge });
    });
  }

  // ---------------------------------------------------------------- sign-in
  async function signOut(clear) {
    if (clear && (await S.outbox()).some((i) => i.state === "pending")) {
      // Signing out would strand what is not sent yet: send it first (or keep working).
      notice(_("还有未同步的记录，请联网同步后再退出"));
      trySync();
      return;
    }
    state.token = null;
    await S.del("token");
    if (clear) {
      await S.del("bundle");
      await S.del("owner");
      await S.del("sent");
      await S.del("clock");
      state.clock = null;
      state.bundle = null;
      if (window.caches) await caches.delete("gridgov-field-api");  // no data left for the next user
    }
    $("#app").hidden = true;
    $("#login").hidden = false;
  }

  async function signIn(e) {
    e.preventDefault();
    const form = e.target;
    $("#login-error").textContent = "";
    try {
      const r = await fetch(API + "/auth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: form.username.value, password: form.password.value }) });
      if (!r.ok) { const body = await r.json().catch(() => ({})); $("#login-error").textContent = (lang === "en" ? body.message_en : body.message) || _("登录失败"); return; }
      const owner = await S.get("owner");
      const who = form.username.value.trim().toLowerCase();
      if (owner && owner !== who && (await S.outbox()).length) {
        // The queue holds another worker's records: they must go out under that account.
        $("#login-error").textContent = _("本机有 %(owner)s 未同步的记录，请用该账号登录", { owner });
        return;
      }
      state.token = (await r.json()).access_token;
      state.signedInAt = Date.now();
      await S.set("token", state.token);
      await S.set("owner", who);
      await start();
    } catch (err) { $("#login-error").textContent = _("需要网络才能首次登录"); }
  }

  async function start() {
    $("#login").hidden = true;
    $("#app").hidden = false;
    state.bundle = await S.get("bundle");
    state.clock = await S.get("clock");
    const patrol = await S.get("patrol");
    if (patrol) { state.patrol = patrol; state.patrolTimer = setInterval(recordPoint, POINT_EVERY_MS); }
    renderHeader();
    show("home");
    await refreshCount();
    await refreshBundle();
    if (!state.bundle) show("home");
    trySync();
  }

  /* The shell's texts (data-i18n holds the Chinese source text) in the current language. */
  function applyLanguage() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = _(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = _(node.dataset.i18nTitle);
    for (const node of document.querySelectorAll(".lang-switch")) { node.textContent = lang === "en" ? "中文" : "English"; node.lang = lang === "en" ? "zh-CN" : "en"; }
  }
  function switchLanguage() {
    lang = lang === "en" ? "zh" : "en";
    localStorage.setItem(LANG_KEY, lang);
    document.cookie = `lang=${lang === "en" ? "en" : "zh-CN"}; path=/; samesite=lax; max-age=31536000`;
    applyLanguage();
    if (!$("#app").hidden) { renderHeader(); show(state.view); refreshCount(); }
  }

  async function boot() {
    try { catalogue = await (await fetch("/static/field/messages.json")).json(); } catch (e) { catalogue = {}; }
    applyLanguage();
    document.querySelectorAll(".lang-switch").forEach((b) => b.addEventListener("click", switchLanguage));
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(() => {});
    document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
    $("#login-form").addEventListener("submit", signIn);
    $("#queue-button").addEventListener("click", () => show("queue"));
    $("#sign-out").addEventListener("click", () => signOut(true));
    window.addEventListener("online", () => { renderHeader(); trySync(); });
    window.addEventListener("offline", renderHeader);
    setInterval(trySync, 30000);
    state.token = await S.get("token");
    if (state.token) await start();
    document.body.dataset.ready = "1";
  }
  boot();
})();
