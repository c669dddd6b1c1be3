// The embedded demo's stand-in for WeCom's JS bridge (jweixin). It plays
// the parts the sidebar uses: wx.config and wx.agentConfig check the
// signature they are given against the demo server, as WeCom's client
// does with WeCom; getContext says the page was opened from a single chat's
// toolbar; getCurExternalContact returns the demo customer.
(function () {
  "use strict";
  var readyFns = [], errorFns = [], state = "pending", lastErr = null, demoCustomer = "";

  function verify(sig) {
    return fetch("/demo/bridge/verify", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(sig)
    }).then(function (r) { return r.json(); });
  }
  function pageURL() { return location.href.split("#")[0]; }

  window.wx = {
    config: function (c) {
      verify({ corpid: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature, url: pageURL() })
        .then(function (res) {
          if (res.errcode === 0) {
            state = "ready";
            readyFns.forEach(function (fn) { fn(); });
          } else {
            state = "error";
            lastErr = { errMsg: "config:" + res.errmsg, errCode: res.errcode };
            errorFns.forEach(function (fn) { fn(lastErr); });
          }
        });
    },
    ready: function (fn) { if (state === "ready") { fn(); } else { readyFns.push(fn); } },
    error: function (fn) { if (state === "error") { fn(lastErr); } else { errorFns.push(fn); } },
    agentConfig: function (c) {
      verify({ corpid: c.corpid, agentid: c.agentid, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature, url: pageURL() })
        .then(function (res) {
          if (res.errcode === 0) {
            demoCustomer = res.external_userid;
            if (c.success) { c.success({ errMsg: "agentConfig:ok" }); }
          } else if (c.fail) {
            c.fail({ errMsg: "agentConfig:" + res.errmsg, errCode: res.errcode });
          }
        });
    },
    invoke: function (name, args, cb) {
      setTimeout(function () {
        switch (name) {
          case "getContext":
            cb({ err_msg: "getContext:ok", entry: "single_chat_tools" });
            break;
          case "getCurExternalContact":
            cb(demoCustomer ? { err_msg: "getCurExternalContact:ok", userId: demoCustomer }
              : { err_msg: "getCurExternalContact:fail no permission" });
            break;
          default:
            cb({ err_msg: name + ":fail not supported by the demo bridge" });
        }
      }, 0);
    }
  };
})();
