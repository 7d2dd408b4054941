#!/usr/bin/env python3
"""How fast can bpy build a large compositor tree, and in which order of calls?

Run from any Python (stdlib only); it starts one subprocess per
(Blender version, strategy, N) using each bpy venv's own interpreter:

    python benchmarks/bpy_build_strategies.py
    python benchmarks/bpy_build_strategies.py --sizes 100,1000 --strategies baseline,best
    python benchmarks/bpy_build_strategies.py --venvs .venvs/bpy-5.0 --timeout 60

The graph: a Render Layers node feeding N Math nodes (ADD, inputs[1] set) in
chains of 10; chain c starts from Render Layers' Depth (even c) or Image (odd c);
the last chain ends in a Viewer node, the other chains end unlinked. Every node
has an explicit deterministic name ("rl", "n0001", ..., "viewer") and a location.
4.x: CompositorNodeMath in scene.node_tree. 5.0: ShaderNodeMath in a
CompositorNodeTree group assigned to scene.compositing_node_group.

Each worker starts from read_factory_settings(use_empty=True), times the build
(obtaining the tree included) with time.perf_counter, repeats while cheap (best
of up to 5 runs, stopping after 1 s), then fingerprints the resulting tree so
strategies can be checked to build the same graph. Peak RSS comes from
resource.getrusage. This prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CHAIN = 10
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# name -> one-line description (the order here is the order of the table).
STRATEGIES = {
    "baseline": "interleaved per node: new, name, operation, value, location, link (sockets by index)",
    "default_names": "interleaved, but names left as 'Math.NNN' and renamed at the end",
    "phased": "all nodes.new first (default names), then names, then properties, then links",
    "phased_named": "nodes.new + name at once, then properties, then links",
    "reverse_links": "phased_named, links created in reverse order",
    "no_verify": "baseline with links.new(out, in, verify_limits=False) (keyword-only in 4.2-5.0)",
    "sockets_by_name": "baseline with outputs['Value'] / inputs['Value'] / outputs['Depth']",
    "lookup_by_name": "baseline, but nodes re-fetched with tree.nodes[name] for every link",
    "detached": "5.0: build in an unattached group, then assign; 4.x: scene.use_nodes off during build",
    "no_compositing": "baseline with scene.render.use_compositing off during build",
    "links_last": "per node: new, name, operation, value, location; then all links (verify_limits=False)",
    "skip_default_op": "links_last, but operation not assigned when it already is the default (ADD)",
    "foreach_interleaved": "per node: new, name, inputs.foreach_set, link; then one nodes.foreach_set location",
    "foreach": "new+name per node, inputs.foreach_set values, nodes.foreach_set op+location, links last",
}


# --------------------------------------------------------------------------
# Worker side: runs inside a bpy venv.
# --------------------------------------------------------------------------

def plan(n: int):
    """The graph as plain data: (name, x, y, value, source) per Math node.

    source is ("rl", socket_name) for the first node of a chain, else the index
    of the previous Math node.
    """
    width = max(4, len(str(n)))
    nodes = []
    for i in range(n):
        chain, k = divmod(i, CHAIN)
        source = ("rl", "Depth" if chain % 2 == 0 else "Image") if k == 0 else i - 1
        nodes.append((f"n{i + 1:0{width}d}", 200.0 * (k + 1), -150.0 * chain,
                      0.25 + 0.5 * (i % 7), source))
    return nodes


def worker(strategy: str, n: int) -> None:
    import resource

    import bpy

    v5 = bpy.app.version >= (5, 0, 0)
    math_type = "ShaderNodeMath" if v5 else "CompositorNodeMath"
    spec = plan(n)
    progress = {"phase": "", "done": 0, "t0": 0.0}

    def tick(phase: str, i: int) -> None:
        # Cheap progress line so a timed-out run still tells how far it got.
        if i % 250 == 0:
            print("PROGRESS " + json.dumps({"phase": phase, "done": i,
                                            "t": time.perf_counter() - progress["t0"]}),
                  flush=True)

    def new_tree(scene, attach=True):
        if v5:
            tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
            if attach:
                scene.compositing_node_group = tree
        else:
            scene.use_nodes = True
            tree = scene.node_tree
            tree.nodes.clear()  # 4.2: Composite + RL; 4.5: also Viewer + Reroute
        return tree

    def add_rl(tree):
        rl = tree.nodes.new("CompositorNodeRLayers")
        rl.name = "rl"
        rl.location = (0.0, 0.0)
        return rl

    def add_viewer(tree, last):
        viewer = tree.nodes.new("CompositorNodeViewer")
        viewer.name = "viewer"
        viewer.location = (200.0 * (CHAIN + 1), 0.0)
        tree.links.new(last.outputs[0], viewer.inputs[0])
        return viewer

    def source_socket(rl, made, src):
        # By index: Render Layers' Image is output 0 and Depth output 2 in 4.2-5.0.
        if isinstance(src, tuple):
            return rl.outputs[2 if src[1] == "Depth" else 0]
        return made[src].outputs[0]

    # ---- strategies: each builds the whole graph, times phases with ph(), returns the tree

    def interleaved(scene, *, verify=True, by_name=False, lookup=False, tree=None):
        tree = tree or new_tree(scene)
        nodes, links = tree.nodes, tree.links
        rl = add_rl(tree)
        made = []
        for i, (name, x, y, value, src) in enumerate(spec):
            node = nodes.new(math_type)
            node.name = name
            node.operation = "ADD"
            node.inputs[1].default_value = value
            node.location = (x, y)
            if lookup:
                src_node = nodes["rl"] if isinstance(src, tuple) else nodes[spec[src][0]]
                node = nodes[name]
            else:
                src_node = rl if isinstance(src, tuple) else made[src]
            if by_name:
                out = src_node.outputs[src[1] if isinstance(src, tuple) else "Value"]
                links.new(out, node.inputs["Value"], verify_limits=verify)
            else:
                links.new(source_socket(src_node, made, src), node.inputs[0], verify_limits=verify)
            made.append(node)
            tick("interleaved", i)
        add_viewer(tree, made[-1])
        return tree

    def s_baseline(scene, ph):
        with ph("total-build"):
            return interleaved(scene)

    def s_no_verify(scene, ph):
        with ph("total-build"):
            return interleaved(scene, verify=False)

    def s_sockets_by_name(scene, ph):
        with ph("total-build"):
            return interleaved(scene, by_name=True)

    def s_lookup_by_name(scene, ph):
        with ph("total-build"):
            return interleaved(scene, by_name=True, lookup=True)

    def s_no_compositing(scene, ph):
        scene.render.use_compositing = False
        with ph("total-build"):
            tree = interleaved(scene)
        with ph("restore"):
            scene.render.use_compositing = True
        return tree

    def s_detached(scene, ph):
        if v5:
            with ph("build-unattached"):
                tree = interleaved(scene, tree=new_tree(scene, attach=False))
            with ph("attach"):
                scene.compositing_node_group = tree
        else:
            tree = new_tree(scene)
            scene.use_nodes = False
            with ph("build-use_nodes-off"):
                interleaved(scene, tree=tree)
            with ph("attach"):
                scene.use_nodes = True
        return tree

    def s_default_names(scene, ph):
        tree = new_tree(scene)
        nodes, links = tree.nodes, tree.links
        rl = add_rl(tree)
        made = []
        with ph("interleaved-default-names"):
            for i, (name, x, y, value, src) in enumerate(spec):
                node = nodes.new(math_type)
                node.operation = "ADD"
                node.inputs[1].default_value = value
                node.location = (x, y)
                links.new(source_socket(rl, made, src), node.inputs[0])
                made.append(node)
                tick("interleaved", i)
        with ph("rename"):
            for node, (name, *_rest) in zip(made, spec):
                node.name = name
        add_viewer(tree, made[-1])
        return tree

    def phased(scene, ph, *, name_at_once, reverse=False, verify=True):
        tree = new_tree(scene)
        nodes, links = tree.nodes, tree.links
        rl = add_rl(tree)
        made = []
        with ph("new+name" if name_at_once else "new"):
            for i, (name, *_rest) in enumerate(spec):
                node = nodes.new(math_type)
                if name_at_once:
                    node.name = name
                made.append(node)
                tick("new", i)
        if not name_at_once:
            with ph("name"):
                for i, (node, (name, *_rest)) in enumerate(zip(made, spec)):
                    node.name = name
                    tick("name", i)
        with ph("properties"):
            for i, (node, (_name, x, y, value, _src)) in enumerate(zip(made, spec)):
                node.operation = "ADD"
                node.inputs[1].default_value = value
                node.location = (x, y)
                tick("properties", i)
        with ph("links"):
            pairs = [(source_socket(rl, made, src), node.inputs[0])
                     for node, (*_r, src) in zip(made, spec)]
            if reverse:
                pairs.reverse()
            for i, (out, inp) in enumerate(pairs):
                links.new(out, inp, verify_limits=verify)
                tick("links", i)
        add_viewer(tree, made[-1])
        return tree

    def s_phased(scene, ph):
        return phased(scene, ph, name_at_once=False)

    def s_phased_named(scene, ph):
        return phased(scene, ph, name_at_once=True)

    def s_reverse_links(scene, ph):
        return phased(scene, ph, name_at_once=True, reverse=True)

    def links_last(scene, ph, *, set_default_op):
        tree = new_tree(scene)
        nodes, links = tree.nodes, tree.links
        rl = add_rl(tree)
        made = []
        with ph("nodes"):
            for i, (name, x, y, value, _src) in enumerate(spec):
                node = nodes.new(math_type)
                node.name = name  # at once: keeps the default name "Math" free
                if set_default_op or node.operation != "ADD":
                    node.operation = "ADD"
                node.inputs[1].default_value = value
                node.location = (x, y)
                made.append(node)
                tick("nodes", i)
        with ph("links"):
            for i, (node, (*_r, src)) in enumerate(zip(made, spec)):
                links.new(source_socket(rl, made, src), node.inputs[0], verify_limits=False)
                tick("links", i)
        add_viewer(tree, made[-1])
        return tree

    def s_links_last(scene, ph):
        return links_last(scene, ph, set_default_op=True)

    def s_skip_default_op(scene, ph):
        return links_last(scene, ph, set_default_op=False)

    def s_foreach(scene, ph):
        tree = new_tree(scene)
        nodes, links = tree.nodes, tree.links
        made = []
        with ph("new+name+values"):
            for i, (name, _x, _y, value, _src) in enumerate(spec):
                node = nodes.new(math_type)
                node.name = name
                # One call, no RNA update callback: sets inputs 0, 1 and the hidden 2.
                node.inputs.foreach_set("default_value", (0.5, value, 0.5))
                made.append(node)
                tick("new", i)
        with ph("foreach_set op+location"):
            # tree.nodes holds only Math nodes here: foreach_set needs the property on
            # every item ("operation" does not exist on Render Layers).
            add = math_op_value("ADD")
            nodes.foreach_set("operation", [add] * len(made))
            nodes.foreach_set("location", [c for (_n, x, y, *_r) in spec for c in (x, y)])
        rl = add_rl(tree)
        with ph("links"):
            for i, (node, (*_r, src)) in enumerate(zip(made, spec)):
                links.new(source_socket(rl, made, src), node.inputs[0], verify_limits=False)
                tick("links", i)
        add_viewer(tree, made[-1])
        return tree

    def s_foreach_interleaved(scene, ph):
        tree = new_tree(scene)
        nodes, links = tree.nodes, tree.links
        rl = add_rl(tree)
        made = []
        with ph("new+name+values+link"):
            for i, (name, _x, _y, value, src) in enumerate(spec):
                node = nodes.new(math_type)
                node.name = name
                if node.operation != "ADD":  # new Math nodes are ADD: nothing to do
                    node.operation = "ADD"
                node.inputs.foreach_set("default_value", (0.5, value, 0.5))
                links.new(source_socket(rl, made, src), node.inputs[0], verify_limits=False)
                made.append(node)
                tick("nodes", i)
        add_viewer(tree, made[-1])
        with ph("foreach_set location"):
            # Every node type has "location": one call for the whole tree, no updates.
            locs = {name: (x, y) for (name, x, y, *_r) in spec}
            locs["rl"] = (0.0, 0.0)
            locs["viewer"] = (200.0 * (CHAIN + 1), 0.0)
            nodes.foreach_set("location", [c for nd in nodes for c in locs[nd.name]])
        return tree

    def math_op_value(op):
        return getattr(bpy.types, math_type).bl_rna.properties["operation"].enum_items[op].value

    scope = locals()
    strategies = {name: scope["s_" + name] for name in STRATEGIES}
    build = strategies[strategy]

    def fingerprint(tree):
        import hashlib
        rows = []
        for node in sorted(tree.nodes, key=lambda nd: nd.name):
            row = [node.name, node.bl_idname, [round(c, 3) for c in node.location]]
            if node.bl_idname == math_type:
                row += [node.operation, round(node.inputs[1].default_value, 6)]
            rows.append(row)
        links = sorted((lk.from_node.name, lk.from_socket.identifier,
                        lk.to_node.name, lk.to_socket.identifier, lk.is_valid)
                       for lk in tree.links)
        blob = json.dumps([rows, links]).encode()
        return hashlib.sha1(blob).hexdigest()[:10], len(tree.nodes), len(tree.links)

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    runs, phases_best, check = [], None, None
    rss_before = None
    spent = 0.0
    while len(runs) < 5 and (not runs or spent < 1.0):
        bpy.ops.wm.read_factory_settings(use_empty=True)
        scene = bpy.context.scene
        # Without the Z pass the Depth output is unavailable: outputs["Depth"] raises
        # KeyError and a link to outputs[2] is created but is_valid is False.
        scene.view_layers[0].use_pass_z = True
        if rss_before is None:
            rss_before = rss_mb()
        phases = {}

        class Phase:
            def __init__(self, name):
                self.name = name

            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                phases[self.name] = phases.get(self.name, 0.0) + time.perf_counter() - self.t

        progress["t0"] = t0 = time.perf_counter()
        tree = build(scene, Phase)
        elapsed = time.perf_counter() - t0
        spent += elapsed
        if not runs or elapsed < min(runs):
            phases_best = phases
        runs.append(elapsed)
        if check is None:
            check = fingerprint(tree)
            attached = (scene.compositing_node_group if v5 else scene.node_tree) == tree
    result = {
        "version": bpy.app.version_string, "strategy": strategy, "n": n,
        "seconds": min(runs), "runs": runs, "phases": phases_best,
        "fingerprint": check[0], "nodes": check[1], "links": check[2], "attached": attached,
        "rss_before_mb": rss_before, "rss_peak_mb": rss_mb(),
    }
    print("RESULT " + json.dumps(result), flush=True)


# --------------------------------------------------------------------------
# Driver side: any Python.
# --------------------------------------------------------------------------

def find_venvs(arg: str | None) -> list[Path]:
    if arg:
        out = []
        for item in arg.split(","):
            p = Path(item)
            if not p.exists():
                p = ROOT / ".venvs" / (item if item.startswith("bpy-") else f"bpy-{item}")
            out.append(p)
        return out
    return sorted(p for p in (ROOT / ".venvs").glob("bpy-*") if (p / "bin" / "python").exists())


def run_one(python: Path, strategy: str, n: int, timeout: float) -> dict:
    cmd = [str(python), str(Path(__file__).resolve()), "--worker", strategy, "--n", str(n)]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out, timed_out = proc.stdout, False
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        timed_out = True
        proc = None
    wall = time.perf_counter() - t
    progress = None
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
        if line.startswith("PROGRESS "):
            progress = json.loads(line[9:])
    if timed_out:
        return {"strategy": strategy, "n": n, "timeout": timeout, "wall": wall, "progress": progress}
    return {"strategy": strategy, "n": n, "error": (proc.stderr or out)[-2000:]}


def fmt_cell(r: dict) -> str:
    if "seconds" in r:
        s = r["seconds"]
        return f"{s:.3f}" if s < 10 else f"{s:.1f}"
    if "timeout" in r:
        p = r.get("progress")
        where = f" ({p['phase']} {p['done']})" if p else ""
        return f">{r['timeout']:.0f}{where}"
    return "error"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,4000")
    ap.add_argument("--strategies", default=",".join(STRATEGIES),
                    help="comma-separated; known: " + ", ".join(STRATEGIES))
    ap.add_argument("--venvs", default=None,
                    help="comma-separated venv dirs or versions (4.2,4.5,5.0); default .venvs/bpy-*")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per subprocess")
    ap.add_argument("--skip-after-timeout", action="store_true",
                    help="once a strategy times out at some N, skip it at larger N")
    ap.add_argument("--json", default=None, help="also write all results to this file")
    ap.add_argument("--phases", action="store_true", help="print per-phase seconds")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        worker(args.worker, args.n)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    strategies = [s for s in args.strategies.split(",") if s]
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        ap.error(f"unknown strategies: {unknown}")
    venvs = find_venvs(args.venvs)

    results = []
    for venv in venvs:
        python = venv / "bin" / "python"
        if not python.exists():
            print(f"skip {venv}: no bin/python", file=sys.stderr)
            continue
        for strategy in strategies:
            for n in sizes:
                if args.skip_after_timeout and any(
                        r.get("venv") == venv.name and r["strategy"] == strategy and "timeout" in r
                        for r in results):
                    r = {"strategy": strategy, "n": n, "skipped": True}
                else:
                    r = run_one(python, strategy, n, args.timeout)
                r["venv"] = venv.name
                results.append(r)
                cell = "skipped" if r.get("skipped") else fmt_cell(r)
                extra = ""
                if "seconds" in r:
                    extra = (f"  peak RSS {r['rss_peak_mb']:.0f} MB"
                             f" (+{r['rss_peak_mb'] - r['rss_before_mb']:.0f})"
                             f"  nodes {r['nodes']} links {r['links']}  fp {r['fingerprint']}")
                    if args.phases:
                        extra += "  " + " ".join(f"{k}={v:.3f}" for k, v in r["phases"].items())
                elif "error" in r:
                    extra = "\n" + r["error"]
                print(f"{venv.name:8} {strategy:19} N={n:<5} {cell:>10} s{extra}", flush=True)

    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))

    # Summary table: rows = (version, strategy), columns = sizes.
    print()
    head = f"| {'version':8} | {'strategy':19} | " + " | ".join(f"N={n:<5}" for n in sizes) + " | peak RSS MB |"
    print(head)
    print("|" + "---|" * (3 + len(sizes)))
    for venv in venvs:
        for strategy in strategies:
            row = [r for r in results if r.get("venv") == venv.name and r["strategy"] == strategy]
            if not row:
                continue
            cells = []
            for n in sizes:
                r = next((r for r in row if r["n"] == n), None)
                cells.append("skipped" if r is None or r.get("skipped") else fmt_cell(r))
            peaks = [r["rss_peak_mb"] for r in row if "rss_peak_mb" in r]
            peak = f"{max(peaks):.0f}" if peaks else "-"
            print(f"| {venv.name:8} | {strategy:19} | " + " | ".join(f"{c:>7}" for c in cells)
                  + f" | {peak:>11} |")
    # Fingerprints must agree per (version, N): same graph whatever the order of calls.
    for venv in venvs:
        for n in sizes:
            fps = {r["fingerprint"] for r in results
                   if r.get("venv") == venv.name and r["n"] == n and "fingerprint" in r}
            if len(fps) > 1:
                print(f"WARNING {venv.name} N={n}: strategies built different graphs: {sorted(fps)}")
    bad = [r for r in results if "attached" in r and not r["attached"]]
    for r in bad:
        print(f"WARNING {r['venv']} {r['strategy']} N={r['n']}: tree not attached to the scene")


if __name__ == "__main__":
    main()
