// The sidebar page: register with the JS-SDK using the signatures the
// server rendered in, ask for the current customer, show them.
(function () {
  "use strict";
  var boot = window.boot;

  function $(id) { return document.getElementById(id); }
  function pill(id, text, ok) {
    var el = $(id);
    el.textContent = text;
    el.className = "pill " + (ok ? "ok" : "bad");
  }
  function showError(text) {
    var el = $("error");
    el.hidden = false;
    el.textContent = text;
  }
  // A refused signature goes back to the server, which drops the ticket it
  // was made with if that is still current; one reload then signs anew.
  function reportRejected(sig) {
    fetch("/api/signature-rejected", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(sig)
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (res.dropped && !sessionStorage.getItem("sidebar-retried")) {
        sessionStorage.setItem("sidebar-retried", "1");
        location.reload();
      }
    });
  }

  function row(dl, term, value) {
    if (!value) { return; }
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function render(c) {
    $("customer").hidden = false;
    $("customer-name").textContent = c.name;
    $("customer-sub").textContent = (c.corp_name ? c.corp_name + " · " : "") + (c.wecom ? "WeCom user" : "WeChat user") +
      (c.other_followers.length ? " · also followed by " + c.other_followers.join(", ") : "");
    var tags = $("tags");
    c.tags.forEach(function (t) {
      var span = document.createElement("span"), small = document.createElement("small");
      span.className = "tag";
      small.textContent = t.group;
      span.appendChild(small);
      span.appendChild(document.createTextNode(t.name));
      tags.appendChild(span);
    });
    $("tags-card").hidden = c.tags.length === 0;
    var dl = $("follow");
    row(dl, "备注 Remark", c.follow.remark);
    row(dl, "描述 Note", c.follow.description);
    row(dl, "添加 Added", c.follow.added_on);
    row(dl, "来源 Via", c.follow.add_way);
    row(dl, "渠道 State", c.follow.state);
    $("follow-card").hidden = false;
  }

  function loadCustomer(externalUserID) {
    fetch("/api/customer?external_userid=" + encodeURIComponent(externalUserID), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { return r.text().then(function (t) { throw new Error(t); }); }
        return r.json();
      })
      .then(render)
      .catch(function (e) { showError("customer: " + e.message); });
  }

  var cfg = boot.config, agent = boot.agentConfig;
  wx.config({
    beta: true, debug: false,
    appId: cfg.corpid, timestamp: cfg.timestamp, nonceStr: cfg.nonceStr, signature: cfg.signature,
    jsApiList: ["getContext", "getCurExternalContact"]
  });
  wx.error(function (res) {
    pill("config-status", "wx.config failed: " + res.errMsg, false);
    reportRejected(cfg);
  });
  wx.ready(function () {
    pill("config-status", "wx.config OK", true);
    wx.agentConfig({
      corpid: agent.corpid, agentid: agent.agentid,
      timestamp: agent.timestamp, nonceStr: agent.nonceStr, signature: agent.signature,
      jsApiList: ["getContext", "getCurExternalContact"],
      success: function () {
        pill("signature-status", "Signature OK", true);
        sessionStorage.removeItem("sidebar-retried");
        wx.invoke("getContext", {}, function (res) {
          if (res.err_msg === "getContext:ok") { pill("entry", "entry " + res.entry, true); }
        });
        wx.invoke("getCurExternalContact", {}, function (res) {
          if (res.err_msg === "getCurExternalContact:ok") {
            loadCustomer(res.userId);
          } else {
            showError("no customer in this chat: " + res.err_msg);
          }
        });
      },
      fail: function (res) {
        pill("signature-status", "Signature rejected: " + res.errMsg, false);
        reportRejected(agent);
      }
    });
  });
})();
