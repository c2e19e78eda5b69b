#!/usr/bin/env python3
"""Opens a facemood report in headless Chromium and checks it through the DevTools protocol, as a person
would use it: the index's table and sparklines render and sort on a click, a video page's chart and summary
render, its video loads, and a real mouse click on the chart moves the video's currentTime and the playhead.

Usage: check_report.py REPORT_DIR VIDEO_PAGE EXPECTED_VIDEOS SCREENSHOT_DIR
Python's standard library only: the WebSocket client below speaks just enough of RFC 6455 for DevTools.
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class DevTools:
    """One page target's DevTools session over a WebSocket."""

    def __init__(self, url):
        match = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {head!r}")
        self.next_id = 0

    def _send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            message += self._read(length)
            if first & 0x80:
                return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {seconds} s waiting for {what} ({expression})")

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'", f"{url} to load")

    def screenshot(self, path):
        with open(path, "wb") as file:
            file.write(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    report, page, expected_videos, shots = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    profile = tempfile.mkdtemp(prefix="facemood-chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0", f"--user-data-dir={profile}",
         "--window-size=1280,1400", "--autoplay-policy=no-user-gesture-required", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        endpoint = None
        deadline = time.time() + 30
        while endpoint is None and time.time() < deadline:
            line = browser.stderr.readline()
            match = re.search(r"DevTools listening on ws://([^/]+)/", line)
            if match:
                endpoint = match.group(1)
        check(endpoint is not None, "Chromium did not start its DevTools endpoint within 30 s")
        targets = json.load(urllib.request.urlopen(f"http://{endpoint}/json/list", timeout=10))
        tools = DevTools(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        tools.call("Page.enable")

        # The index: one row per video, a share bar and a sparkline each; a click on a header sorts.
        tools.open("file://" + os.path.abspath(os.path.join(report, "index.html")))
        rows = tools.evaluate("document.querySelectorAll('#videos tbody tr').length")
        check(rows == expected_videos, f"index: expected {expected_videos} rows, found {rows}")
        check(tools.evaluate("document.querySelectorAll('#videos svg.sparkline rect').length") >= expected_videos,
              "index: the sparklines drew nothing")
        check(tools.evaluate("Array.from(document.querySelectorAll('.bar')).every(b => b.getBoundingClientRect().width > 100)"),
              "index: the share bars did not render")
        durations = "Array.from(document.querySelectorAll('#videos tbody tr')).map(r => parseFloat(r.cells[1].dataset.sort))"
        header = tools.evaluate("(() => { const r = document.querySelectorAll('#videos th')[1].getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        tools.click(*header)
        ascending = tools.evaluate(durations)
        check(ascending == sorted(ascending), f"index: a click on 'duration' should sort ascending, found {ascending}")
        tools.click(*header)
        descending = tools.evaluate(durations)
        check(descending == sorted(descending, reverse=True), f"index: a second click should sort descending, found {descending}")
        tools.screenshot(os.path.join(shots, "report-index.png"))

        # A video page: chart, legend and summary render, the video loads.
        tools.open("file://" + os.path.abspath(os.path.join(report, page)))
        check(tools.evaluate("document.querySelectorAll('#chart svg path.line').length") >= 7, "page: the chart has no lines")
        check(tools.evaluate("document.querySelector('#chart svg').getBoundingClientRect().width") > 800, "page: the chart did not render")
        check(tools.evaluate("document.querySelectorAll('#summary tbody tr').length") == 7, "page: the summary table should have 7 rows")
        tools.wait_for("document.getElementById('player').readyState >= 2", "the video to load its first frame")
        duration = tools.evaluate("document.getElementById('player').duration")
        svg = tools.evaluate("(() => { const s = document.querySelector('#chart svg'); return {start: +s.dataset.start, span: +s.dataset.span, left: +s.dataset.plotLeft, width: +s.dataset.plotWidth}; })()")
        check(abs(duration - (svg["start"] + svg["span"])) < 0.1, f"page: the video lasts {duration} s, the chart {svg['span']} s")

        # A real click at 60% of the plot's width: the video seeks there and the playhead follows.
        target = svg["start"] + 0.6 * svg["span"]
        x, y = tools.evaluate("(() => { const s = document.querySelector('#chart svg'); const p = s.createSVGPoint(); "
                              f"p.x = {svg['left'] + 0.6 * svg['width']}; p.y = 150; const q = p.matrixTransform(s.getScreenCTM()); return [q.x, q.y]; }})()")
        tools.click(x, y)
        tools.wait_for(f"Math.abs(document.getElementById('player').currentTime - {target}) < 0.05", f"the video to seek to {target:.3f} s")
        playhead = tools.evaluate("parseFloat(document.getElementById('playhead').getAttribute('x1'))")
        expected_x = svg["left"] + 0.6 * svg["width"]
        check(abs(playhead - expected_x) < 1.5, f"page: the playhead should be at x {expected_x:.1f}, found {playhead}")
        # Playback moves the playhead with the video.
        tools.evaluate("document.getElementById('player').currentTime = 0.5")
        tools.wait_for("Math.abs(parseFloat(document.getElementById('playhead').getAttribute('x1')) - "
                       f"({svg['left']} + (0.5 - {svg['start']}) / {svg['span']} * {svg['width']})) < 1.5", "the playhead to follow a seek")
        tools.wait_for("!document.getElementById('player').seeking && document.getElementById('player').readyState >= 2", "the seek to finish")
        tools.screenshot(os.path.join(shots, "report-page.png"))
        print(f"check_report: index of {rows} videos sorts; {page}: chart, table and video render, a click at 60% seeks to "
              f"{target:.3f} s and moves the playhead to x {playhead:.1f}")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"check_report: {error}", file=sys.stderr)
        sys.exit(1)
