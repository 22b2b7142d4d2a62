// The dashboard's shell: navigation between views (each its own URL), the theme, and the
// metrics poller every view reads.
import "./style.css";
import { h } from "./dom.js";
import { history } from "./metrics.js";
import overview from "./view_overview.js";
import events from "./view_events.js";
import alerts from "./view_alerts.js";
import network from "./view_network.js";
import profile from "./view_profile.js";
import performanceView from "./view_performance.js";
import probes from "./view_probes.js";

const VIEWS = [
  ["/", "Overview", overview],
  ["/events", "Events", events],
  ["/alerts", "Alerts", alerts],
  ["/network", "Network", network],
  ["/profile", "Profile", profile],
  ["/performance", "Performance", performanceView],
  ["/probes", "Probes", probes],
];

let unmount = null;

function render() {
  const entry = VIEWS.find(([path]) => path === location.pathname) || VIEWS[0];
  if (unmount) unmount();
  const root = document.getElementById("view");
  root.replaceChildren();
  document.title = entry[1] + " · kscope";
  for (const a of document.querySelectorAll("#nav a"))
    a.classList.toggle("active", a.getAttribute("href") === entry[0]);
  unmount = entry[2](root) || null;
}

function navigate(path) {
  if (path === location.pathname && !location.search) return;
  history_push(path);
  render();
}

function history_push(path) {
  window.history.pushState(null, "", path);
}

function setupNav() {
  const nav = document.getElementById("nav");
  for (const [path, label] of VIEWS) {
    const a = h("a", { href: path }, label);
    a.addEventListener("click", (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;  // new tab: the browser's
      ev.preventDefault();
      navigate(path);
    });
    nav.append(a);
  }
  addEventListener("popstate", render);
}

function setupTheme() {
  const button = document.getElementById("theme");
  const label = () => {
    button.textContent = document.documentElement.dataset.theme === "dark" ? "Light" : "Dark";
  };
  label();
  button.addEventListener("click", () => {
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem("kscope.theme", next);
    label();
    dispatchEvent(new Event("themechange"));
  });
}

function setupStatus() {
  const status = document.getElementById("status");
  history.subscribe((hst) => {
    if (hst.error) {
      status.textContent = "agent unreachable: " + hst.error.message;
      status.classList.add("error");
    } else {
      status.textContent = "live · updated " + new Date().toLocaleTimeString();
      status.classList.remove("error");
    }
  });
}

setupNav();
setupTheme();
history.start();
setupStatus();
render();
