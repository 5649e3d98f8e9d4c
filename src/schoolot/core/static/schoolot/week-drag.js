// My week's calendar: drag a session to another day or time. On release, that session's
// Move form in the list is filled (the day, the start to 5 minutes) and sent, so the server
// checks and answers exactly as for the form. Without this script, the form is the way.
// On a touch screen a session is held a moment before it moves (a plain swipe scrolls the
// page, a tap opens its card).
(() => {
  const grid = document.querySelector(".week-grid[data-drag]");
  if (grid) {
    const hint = document.getElementById("drag-hint");
    if (hint) hint.hidden = false;
    const first = Number(grid.dataset.first);
    const minutes = Number(grid.dataset.minutes);
    const columns = [...grid.querySelectorAll(".week-col[data-weekday]")];
    const dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri"];
    let drag = null;
    let dragged = false;

    const moveForm = (slotId) =>
      document.querySelector(`#slot-${slotId} form[action*="/move/"]`);
    const clock = (minute) =>
      `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
    const shown = (minute) => {
      const h = Math.floor(minute / 60);
      return `${((h + 11) % 12) + 1}:${String(minute % 60).padStart(2, "0")} ${h < 12 ? "AM" : "PM"}`;
    };

    // Where the block's top would land: the day under the pointer, its start to 5 minutes.
    const target = (event) => {
      const column = columns.find((c) => {
        const r = c.getBoundingClientRect();
        return event.clientX >= r.left && event.clientX <= r.right;
      });
      if (!column) return null;
      const body = column.querySelector(".week-body").getBoundingClientRect();
      const perMinute = body.height / minutes;
      const top = event.clientY - drag.grabY - body.top;
      const minute = Math.round((first + top / perMinute) / 5) * 5;
      return {
        weekday: Number(column.dataset.weekday),
        minute: Math.min(Math.max(minute, 0), 24 * 60 - 5),
      };
    };

    // Where the session may go (the server's slot_places: the school day, clear of her other
    // sessions, fixed time and the students' protected time), shaded while she drags:
    // green where its students miss no core instruction.
    const places = {};
    const shade = (block) => {
      const form = moveForm(block.dataset.slot);
      let url = form.getAttribute("action").replace(/\/move\/.*$/, "/places/");
      if (block.classList.contains("every-week")) url += "?every_week=1";
      const known = places[url] || fetch(url, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .catch(() => null);
      places[url] = known;
      known.then((found) => {
        if (!found || !drag || drag.block !== block) return;
        drag.places = found;
        for (const place of found.places) {
          const body = columns[place.weekday].querySelector(".week-body");
          const band = document.createElement("div");
          band.className = place.core ? "drop-place core" : "drop-place";
          // Drawn within the calendar's hours (a school may open before its first hour).
          const top = Math.max(place.first, first);
          const bottom = Math.min(place.last + found.minutes, first + minutes);
          if (bottom <= top) continue;
          band.style.top = `calc(${top - first} * var(--px))`;
          band.style.height = `calc(${bottom - top} * var(--px))`;
          body.prepend(band);
        }
        if (drag.pointer) tell();
      });
    };
    const verdict = (at) => {
      if (!drag.places) return "";
      const place = drag.places.places.find(
        (p) => p.weekday === at.weekday && p.first <= at.minute && at.minute <= p.last,
      );
      if (!place) return " · not open";
      return place.core ? " · misses core instruction" : " · no core instruction missed";
    };

    // The tip: where the block would land, and whether it may (once the places are in).
    const tell = () => {
      const at = target(drag.pointer);
      drag.tip.textContent = at
        ? `${dayNames[at.weekday]} ${shown(at.minute)}${verdict(at)}`
        : "Not on a day";
    };

    const end = () => {
      if (!drag) return;
      drag.block.classList.remove("dragging");
      drag.block.style.transform = "";
      drag.tip.remove();
      grid.querySelectorAll(".drop-place").forEach((band) => band.remove());
      drag = null;
    };

    const HOLD_MS = 450; // a touch held this long, without moving, picks the session up
    let holding = null; // the touch waiting to pick a session up: {timer, x, y}

    const pickUp = (event, block) => {
      const rect = block.getBoundingClientRect();
      const tip = document.createElement("div");
      tip.className = "drag-tip";
      tip.setAttribute("role", "status");
      drag = { block, tip, x: event.clientX, y: event.clientY, grabY: event.clientY - rect.top, moved: false };
    };

    grid.addEventListener("pointerdown", (event) => {
      dragged = false; // a touch drag is followed by no click to clear it
      const block = event.target.closest("a.week-slot[data-slot]");
      if (!block || event.button !== 0 || !moveForm(block.dataset.slot)) return;
      if (event.pointerType === "touch") {
        const pointerId = event.pointerId;
        const at = { clientX: event.clientX, clientY: event.clientY };
        holding = {
          x: event.clientX,
          y: event.clientY,
          timer: setTimeout(() => {
            holding = null;
            pickUp(at, block);
            drag.touch = true;
            block.classList.add("dragging");
            if (block.hasPointerCapture && !block.hasPointerCapture(pointerId)) {
              try { block.setPointerCapture(pointerId); } catch (_) { /* the touch ended */ }
            }
            if (navigator.vibrate) navigator.vibrate(15);
          }, HOLD_MS),
        };
        return; // until then, the browser may scroll
      }
      pickUp(event, block);
      block.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    const letGo = () => {
      if (holding) clearTimeout(holding.timer);
      holding = null;
    };
    // Once a touch has picked a session up, the finger moves it, not the page.
    grid.addEventListener(
      "touchmove",
      (event) => {
        if (drag && drag.touch) event.preventDefault();
      },
      { passive: false },
    );
    grid.addEventListener("contextmenu", (event) => {
      if (drag || holding) event.preventDefault();
    });

    grid.addEventListener("pointermove", (event) => {
      if (holding && Math.hypot(event.clientX - holding.x, event.clientY - holding.y) > 8) letGo();
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 5) return;
      if (!drag.moved) {
        drag.moved = true;
        drag.block.classList.add("dragging");
        document.body.append(drag.tip);
        shade(drag.block);
      }
      drag.block.style.transform = `translate(${dx}px, ${dy}px)`;
      drag.pointer = { clientX: event.clientX, clientY: event.clientY };
      tell();
      drag.tip.style.left = `${event.clientX + 14}px`;
      drag.tip.style.top = `${event.clientY + 14}px`;
    });

    grid.addEventListener("pointerup", (event) => {
      letGo();
      if (!drag) return;
      if (!drag.moved) {
        end(); // a click: the block's link leads to its card in the list
        return;
      }
      dragged = true;
      const at = target(event);
      const form = moveForm(drag.block.dataset.slot);
      const day = form.querySelector("select[name=weekday]");
      const start = form.querySelector("input[name=start_time]");
      if (!at || (String(at.weekday) === day.value && clock(at.minute) === start.value)) {
        end();
        return;
      }
      day.value = String(at.weekday);
      start.value = clock(at.minute);
      const from = document.createElement("input");
      Object.assign(from, { type: "hidden", name: "from", value: "calendar" });
      form.append(from);
      drag.tip.textContent = `Moving to ${dayNames[at.weekday]} ${shown(at.minute)}…`;
      drag.block.classList.add("moving");
      grid.querySelectorAll(".drop-place").forEach((band) => band.remove());
      drag = null;
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    });

    grid.addEventListener("pointercancel", () => {
      letGo();
      end();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") end();
    });
    // A drag ends in its pointerup, not in the link's click that follows it.
    grid.addEventListener("click", (event) => {
      if (dragged) event.preventDefault();
      dragged = false;
    });

    // A click on a free time of a day starts a new session there: the Add form below gets
    // the day and the start (to 5 minutes), its length kept (30 minutes at first).
    const add = document.getElementById("add-slot");
    grid.addEventListener("click", (event) => {
      const body = event.target.closest(".week-col[data-weekday] .week-body");
      if (!add || !body || event.target !== body) return;
      const column = body.closest(".week-col");
      const rect = body.getBoundingClientRect();
      const minute = Math.floor((first + ((event.clientY - rect.top) * minutes) / rect.height) / 5) * 5;
      const day = add.querySelector("select[name=weekday]");
      const start = add.querySelector("input[name=start_time]");
      const endAt = add.querySelector("input[name=end_time]");
      const toMinute = (value) => {
        const [h, m] = (value || "").split(":").map(Number);
        return Number.isFinite(h) && Number.isFinite(m) ? h * 60 + m : null;
      };
      const before = [toMinute(start.value), toMinute(endAt.value)];
      const length = before[0] !== null && before[1] > before[0] ? before[1] - before[0] : 30;
      day.value = column.dataset.weekday;
      start.value = clock(minute);
      endAt.value = clock(Math.min(minute + length, 24 * 60 - 1));
      add.scrollIntoView({ block: "start" });
      (add.querySelector("input[name=students]") || start).focus({ preventScroll: true });
    });
  }

  // A refused move (from the calendar or the list) opens its form with the reasons: show it.
  const refused = document.querySelector("details.move[open] .errorlist");
  if (refused && !location.hash) {
    refused.closest("li.slot").scrollIntoView({ block: "center" });
    refused.closest("form").querySelector("input[name=start_time]").focus({ preventScroll: true });
  }
})();
