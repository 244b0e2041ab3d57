#!/usr/bin/env python3
"""Writes random small models with dependent blocks of blocks and shared units.

Usage: random_joint.py COUNT FOLDER [FIRST_SEED]

Each model (random-joint-SEED.toml, reproducible from its seed) has one dependent block whose
members are blocks: a standby (hot, warm or cold; instantaneous or timed failover; coverage 1
or below with a manual failover; sometimes one repair crew) or a parallel / k-of-n block with
one repair crew. Members are series or parallel blocks of non-shared components, shared
components (the first also in series with the dependent block), a shared block, and
sometimes a nested standby pair. At most 8 units (6 under a repair crew, whose waiting line multiplies the
states by the orders it can hold), so the exact solver's joint chain stays small. `.ci/run`
exports them and requires Storm to agree with `nines solve` (tests/prism/run.sh), the PRISM
export's property test for the joint constructs.
"""

import os
import random
import sys

MAX_UNITS = 8
MAX_UNITS_WITH_CREWS = 6


def duration(hours):
    """A TOML duration in hours, 4 significant digits."""
    return f'"{float(f"{hours:.4g}")}h"'


def model(seed):
    r = random.Random(seed)
    out = [f'name = "random joint {seed}"', 'top = "top"', ""]
    units = 0
    standby = r.random() < 0.65
    crews = not standby or r.random() < 0.3
    limit = MAX_UNITS_WITH_CREWS if crews else MAX_UNITS

    def component(name, shared=False):
        out.append(f"[component.{name}]")
        out.append(f"mtbf = {duration(10 ** r.uniform(2.0, 3.7))}")
        out.append(f"mttr = {duration(10 ** r.uniform(-0.3, 1.3))}")
        if shared:
            out.append("shared = true")
        out.append("")

    def rules():
        mode = r.choice(["hot", "warm", "cold"])
        lines = [f'mode = "{mode}"']
        if mode == "warm":
            lines.append(f"dormant_factor = {r.choice([0.1, 0.3, 0.5, 0.8])}")
        lines.append("failover = " + ('"0s"' if r.random() < 0.3 else duration(10 ** r.uniform(-2, 0.3))))
        if r.random() < 0.5:
            lines.append(f"coverage = {r.choice([0.5, 0.8, 0.95])}")
            lines.append(f"manual_failover = {duration(10 ** r.uniform(-1, 0.7))}")
        return lines

    shared = [f"s{i}" for i in range(r.choice([1, 2]))]
    for name in shared:
        component(name, shared=True)
    units += len(shared)
    private = [f"p{i}" for i in range(3)]
    for name in private:
        component(name)
    # A shared block (2 units) only where two members still fit beside it.
    shared_block = r.random() < 0.3 and units + 2 + 2 <= limit
    if shared_block:
        out += ['[block.sb]', 'kind = "parallel"', 'members = ["p0", "p1"]', "shared = true", ""]
        units += 2
    members = min(r.choice([2, 2, 3]), limit - units)
    nested_used = False
    names = []
    for m in range(members):
        items = []
        budget = limit - units - (members - m - 1)
        if budget <= 0:
            break
        if r.random() < 0.6:
            items.append(r.choice(shared))
        if shared_block and r.random() < 0.4:
            items.append("sb")
        if not nested_used and budget >= 3 and r.random() < 0.25:
            nested_used = True
            out += [f"[block.n{m}]", 'kind = "standby"', f'of = "{r.choice(private)}"', "count = 2"]
            out += rules()
            out.append("")
            items.append(f"n{m}")
            units += 2
        elif budget >= 1 or not items:
            items.append(r.choice(private))
            units += 1
        if len(items) > 1 and budget - 1 >= 1 and r.random() < 0.3 and units < limit:
            items.append(r.choice(private))
            units += 1
        kind = "series" if r.random() < 0.75 else "parallel"
        out += [f"[block.m{m}]", f'kind = "{kind}"', "members = [" + ", ".join(f'"{i}"' for i in items) + "]", ""]
        names.append(f"m{m}")
    dependent = ["[block.dep]"]
    if standby and len(names) >= 2:
        dependent.append('kind = "standby"')
        dependent += rules()
        if crews:
            dependent.append("repair_crews = 1")
    else:
        if len(names) == 3 and r.random() < 0.5:
            dependent.append('kind = "k-of-n"\nk = 2')
        else:
            dependent.append('kind = "parallel"')
        dependent.append("repair_crews = 1")
    dependent.append("members = [" + ", ".join(f'"{n}"' for n in names) + "]")
    out += dependent + [""]
    # The shared parts are also used outside the dependent block: the top is a series with
    # the first shared component, which also keeps U above about 1e-4 (chains with U near
    # 1e-9 are so stiff that Storm's iterative solvers take minutes).
    outside = ['"dep"', f'"{shared[0]}"']
    if shared_block and r.random() < 0.5:
        outside.append('"sb"')
    out += ["[block.top]", 'kind = "series"', "members = [" + ", ".join(outside) + "]", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    count, folder = int(sys.argv[1]), sys.argv[2]
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    os.makedirs(folder, exist_ok=True)
    for seed in range(first, first + count):
        with open(os.path.join(folder, f"random-joint-{seed:03}.toml"), "w", encoding="utf-8") as file:
            file.write(model(seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
