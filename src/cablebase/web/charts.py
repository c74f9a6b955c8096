"""The pages' charts as inline SVG: columns, stacked months, horizontal bars, the citation graph.

Every text and link passes through `escape`; numbers are written short (`_num`) so a chart of
a few hundred bars stays a few kilobytes.
"""

from __future__ import annotations

import math
from urllib.parse import quote

from markupsafe import Markup, escape

from cablebase.archive import browse
from cablebase.web.formats import CLASS_COLOURS, CLASS_LEVELS, class_css, fmt_date, fmt_month


def _num(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def column_chart(
    bars: list[tuple[str, int, str | None, str]],
    *,
    width: int = 900,
    height: int = 150,
    label: str = "chart",
    every: int = 1,
) -> Markup:
    """Vertical bars: (axis label, value, link or None, tooltip).  Labels every `every` bars."""
    if not bars:
        return Markup("")
    top = max(v for _, v, _, _ in bars) or 1
    pad_b, pad_t = 18, 14
    plot = height - pad_b - pad_t
    bw = width / len(bars)
    gap = min(2.0, bw * 0.2)
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-label="{escape(label)}" preserveAspectRatio="none">',
        f'<text class="axis" x="0" y="10">{top:,}</text>',
        f'<line class="base" x1="0" x2="{width}" y1="{height - pad_b}" y2="{height - pad_b}"/>',
    ]
    for i, (name, v, href, tip) in enumerate(bars):
        h = plot * v / top
        x, y = i * bw + gap / 2, pad_t + plot - h
        rect = (
            f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(max(bw - gap, 0.5))}"'
            f' height="{_num(h)}"><title>{escape(tip)}</title></rect>'
        )
        if href and v:
            rect = f'<a href="{escape(href)}">{rect}</a>'
        out.append(rect)
        if i % every == 0:
            out.append(
                f'<text class="axis" x="{_num(i * bw + 1)}" y="{height - 4}">{escape(name)}</text>'
            )
    out.append("</svg>")
    # On a phone the drawing shrinks to a third and its labels with it: there an HTML row of
    # the first, middle and last labels stands in for them (style.css).
    names = [name for name, _, _, _ in bars if name]
    if names:
        ends = [names[0], names[len(names) // 2], names[-1]] if len(names) > 2 else names
        spans = "".join(f"<span>{escape(n)}</span>" for n in ends)
        out.append(f'<div class="chart-axis" aria-hidden="true">{spans}</div>')
    return Markup("".join(out))


def stacked_chart(
    months: list[str], by_month: dict[str, dict[str, int]], *, width: int = 900, height: int = 220
) -> Markup:
    """Stacked columns per month, one colour per classification, with a legend."""
    if not months:
        return Markup("")
    totals = [sum(by_month.get(m, {}).values()) for m in months]
    top = max(totals) or 1
    pad_b, pad_t, pad_l = 20, 10, 44
    plot, span = height - pad_b - pad_t, width - pad_l
    bw = span / len(months)
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img"'
        ' aria-label="cables per month by classification">',
        f'<text class="axis" x="0" y="{pad_t + 8}">{top:,}</text>',
        f'<text class="axis" x="0" y="{height - pad_b}">0</text>',
        f'<line class="base" x1="{pad_l}" x2="{width}" y1="{height - pad_b}" y2="{height - pad_b}"/>',
    ]
    levels = [*CLASS_LEVELS, "UNKNOWN"]
    last_year = None
    for i, m in enumerate(months):
        x = pad_l + i * bw
        y = pad_t + plot
        counts = by_month.get(m, {})
        tip = (
            fmt_month(m)
            + ": "
            + ", ".join(f"{counts[c]:,} {c.lower()}" for c in levels if c in counts)
        )
        parts = []
        for c in levels:
            n = counts.get(c, 0)
            if not n:
                continue
            h = plot * n / top
            y -= h
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(bw - 0.4, 0.6))}"'
                f' height="{_num(h)}" fill="{CLASS_COLOURS[c]}"/>'
            )
        out.append(
            f'<a href="/browse/months/{m}"><g><title>{escape(tip)}</title>{"".join(parts)}</g></a>'
        )
        year = m[:4]
        if year != last_year and (
            last_year is None or int(year) % (1 if len(months) < 80 else 2) == 0
        ):
            out.append(f'<text class="axis" x="{_num(x)}" y="{height - 5}">{year}</text>')
            last_year = year
    out.append("</svg>")
    return Markup("".join(out))


def hbar_chart(rows: list[tuple[str, int, str | None]], *, width: int = 420, label: str) -> Markup:
    """Horizontal bars with their labels and counts, each a link."""
    if not rows:
        return Markup("")
    row_h, label_w, num_w = 20, 170, 56
    top = max(n for _, n, _ in rows) or 1
    height = row_h * len(rows)
    span = width - label_w - num_w
    out = [
        f'<svg class="chart hbar" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-label="{escape(label)}">'
    ]
    for i, (name, n, href) in enumerate(rows):
        y = i * row_h
        w = max(1.0, span * n / top)
        short = name if len(name) <= 26 else name[:25] + "…"
        item = (
            f'<text class="lbl" x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(short)}'
            f"<title>{escape(name)}</title></text>"
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{_num(w)}" height="{row_h - 6}"/>'
            f'<text class="num" x="{_num(label_w + w + 4)}" y="{y + 14}">{n:,}</text>'
        )
        out.append(f'<a href="{escape(href)}">{item}</a>' if href else item)
    out.append("</svg>")
    return Markup("".join(out))


# -- the citation graph ------------------------------------------------------------------


def graph_svg(hood: browse.Neighbourhood, centre: str, size: int = 760) -> Markup:
    """A radial layout: the cable in the middle, one ring per hop; arrows from citing to cited."""
    cx = cy = size / 2
    rings: dict[int, list[str]] = {}
    for rid, depth in hood.nodes.items():
        rings.setdefault(depth, []).append(rid)
    pos: dict[str, tuple[float, float]] = {centre: (cx, cy)}
    angle: dict[str, float] = {centre: 0.0}
    neighbours: dict[str, list[str]] = {}
    for s, d in hood.edges:
        neighbours.setdefault(s, []).append(d)
        neighbours.setdefault(d, []).append(s)
    radius = {1: size * 0.22, 2: size * 0.40}
    # A radial tree: the first ring evenly spread, each outer node in its parent's sector.
    ring1 = sorted(rings.get(1, []))
    n1 = max(1, len(ring1))
    for i, rid in enumerate(ring1):
        a = 2 * math.pi * i / n1 + (math.pi if n1 <= 2 else -math.pi / 2 + math.pi / n1)
        angle[rid] = a
        pos[rid] = (cx + radius[1] * math.cos(a), cy + radius[1] * math.sin(a))
    children: dict[str, list[str]] = {}
    for rid in sorted(rings.get(2, [])):
        parents = [n for n in neighbours.get(rid, []) if hood.nodes.get(n) == 1]
        children.setdefault(min(parents) if parents else centre, []).append(rid)
    sector = min(2 * math.pi / n1, 1.2 * math.pi)
    for parent, kids in children.items():
        base = angle.get(parent, 0.0)
        k = len(kids)
        for j, rid in enumerate(kids):
            a = base - sector / 2 + sector * (j + 0.5) / k
            angle[rid] = a
            pos[rid] = (cx + radius[2] * math.cos(a), cy + radius[2] * math.sin(a))
    out = [
        f'<svg class="graph" viewBox="0 0 {size} {size}" width="100%" role="img"'
        f' aria-label="citation graph around {escape(centre)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"'
        ' class="arrowhead"/></marker></defs>',
    ]
    node_r = 9
    for s, d in hood.edges:
        (x1, y1), (x2, y2) = pos[s], pos[d]
        dist = math.hypot(x2 - x1, y2 - y1) or 1
        # Stop short of the node circles so the arrowheads stay visible.
        ex, ey = x2 - (x2 - x1) * (node_r + 3) / dist, y2 - (y2 - y1) * (node_r + 3) / dist
        sx, sy = x1 + (x2 - x1) * node_r / dist, y1 + (y2 - y1) * node_r / dist
        out.append(
            f'<line class="edge" x1="{_num(sx)}" y1="{_num(sy)}" x2="{_num(ex)}" y2="{_num(ey)}"'
            ' marker-end="url(#arrow)"/>'
        )
    for rid, (x, y) in pos.items():
        brief = hood.briefs.get(rid)
        cls = class_css(brief.classification if brief else None)
        kind = "centre" if rid == centre else ("archived" if brief else "missing")
        tip = rid
        if brief:
            tip += f" · {fmt_date(brief.created)} · {brief.subject or ''}"
        else:
            tip += " · not in this archive"
        anchor = "middle"
        lx, ly = x, y + node_r + 13
        if rid != centre and abs(x - cx) > size * 0.15:
            anchor = "start" if x > cx else "end"
            lx, ly = x + (node_r + 4) * (1 if x > cx else -1), y + 4
        body = (
            f'<circle class="node {kind} {cls}" cx="{_num(x)}" cy="{_num(y)}"'
            f' r="{node_r + (4 if rid == centre else 0)}"/>'
            f'<text class="nlabel" x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}">'
            f"{escape(rid)}</text><title>{escape(tip)}</title>"
        )
        if brief and rid != centre:
            out.append(f'<a class="gnode" href="/cable/{quote(rid)}"><g>{body}</g></a>')
        else:
            out.append(f'<g class="gnode">{body}</g>')
    out.append("</svg>")
    return Markup("".join(out))
