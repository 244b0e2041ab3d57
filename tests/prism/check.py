#!/usr/bin/env python3
"""Checks `nines solve` against Storm on the PRISM export of each model.

Usage: check.py [--tolerance REL] [--elimination-states N] [--gth-states N] [--max-iterations N]
                [--quiet] NINES_BINARY MODEL.toml...

For every model, `nines export --format prism` writes the unit-level Markov chain and Storm
(stormpy) builds it. Storm then computes U and f (outages per hour) twice:

1. with the long-run operators a user would type, S=? ["down"] and R{"outages"}=? [ S ]. Storm
   solves these to a fixed precision of 1e-6 that stormpy 2.0 cannot change, except with its
   elimination solver (direct, exact to rounding), used for chains of up to
   --elimination-states states (default 512); there they must agree with nines to --tolerance,
   beyond it to 1e-6;
2. by regeneration (see `storm`): expected rewards until the chain returns to its initial
   state, solved by Gauss-Seidel to a relative precision of 1e-15. These must agree with
   `nines solve --format json` (`unavailability`, `failures_per_year` / 8766) to --tolerance
   (default 1e-10; the example models agree to about 1e-15, 300 random models to 2e-13).

When only the regeneration solve misses --tolerance (its Gauss-Seidel capped by
--max-iterations on a stiff chain) and the long-run operators agree to --tolerance, the model
passes. When Storm's answers miss --tolerance on a chain of at most --gth-states states (default 2500; GTH in
Python on sparse rows: a 624-state chain in 4 s),
its chain is solved once more by GTH (Grassmann-Taksar-Heyman elimination, no subtractions,
so exact to rounding even when U is 1e-8 and the chain is stiff, where Storm's floating-point
solvers lose digits): the model passes when GTH on Storm's chain agrees to --tolerance, and
the line says so. The chain is still the one Storm built from the export; only the linear
algebra differs.

Reliability over a mission (issue 15): Storm's time-bounded reachability P=? [ F<=T "down" ]
from the all-up initial state, T = --mission hours (default 720), must agree with the
`unreliability` of `nines solve --mission T` (computed on nines' own joint chain by
uniformization) to 1e-6 relative (Storm's transient precision) or 1e-12 absolute. Where nines
leaves the figure out (its time-measure limits), the line says "reliability n/a".

Storm's state count must also equal the one in the export's header (or, for joint blocks,
stay within the bound the header states). A model that `nines
export` refuses as too large is reported as refused and does not fail the run; any other
problem (an export or solve error, a disagreement) does: exit 1.
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import stormpy
import stormpy.environments as environments
import stormpy.info

HOURS_PER_YEAR = 8766.0
ELIMINATION_STATES = 512
ELIMINATION_FALLBACK = 5000  # when Gauss-Seidel diverges, elimination up to this many states
LRA_TOLERANCE = 1e-6  # Storm's fixed precision for long-run averages by iteration

PROPERTIES = """
S=? ["down"];
R{"outages"}=? [ S ];
R{"down_time"}=? [ F "init" ];
R{"outages"}=? [ F "init" ];
T=? [ F "init" ]
"""


def lra_environment(solver_name):
    """Storm settings for its long-run operators with the named linear equation solver.

    Storm solves long-run averages to a fixed precision of 1e-6 that stormpy cannot change,
    except with the elimination solver (a direct method), which is exact to rounding but slow
    beyond a few hundred states. Of Storm's iterative solvers Gauss-Seidel comes closest (the
    default, GMRES, is off by up to 10 % on stiff chains with tiny U), but it can diverge.
    """
    env = environments.Environment()
    solver = env.solver()
    if solver_name == "elimination":
        solver.set_linear_equation_solver_type(environments.EquationSolverType.ELIMINATION)
    else:
        solver.set_linear_equation_solver_type(environments.EquationSolverType.NATIVE)
        solver.native().method = environments.NativeLinearEquationSolverMethod.GAUSS_SEIDEL
    return env


def long_run(model, properties, solver_name):
    """U and f by S=? ["down"] and R{"outages"}=? [ S ] with the named solver."""
    env = lra_environment(solver_name)
    initial = model.initial_states[0]
    values = []
    for prop in properties[:2]:
        result = stormpy.model_checking(model, prop, only_initial_states=True, environment=env)
        values.append(float(result.get_value(initial)))
    return tuple(values)


def reachability_environment(max_iterations=10**8):
    """Gauss-Seidel to a relative precision of 1e-15, for expected rewards until a return."""
    env = environments.Environment()
    solver = env.solver()
    solver.set_linear_equation_solver_type(environments.EquationSolverType.NATIVE)
    native = solver.native()
    native.method = environments.NativeLinearEquationSolverMethod.GAUSS_SEIDEL
    native.precision = stormpy.Rational("1/1000000000000000")
    native.relative_termination_criterion = True
    native.maximal_number_of_iterations = max_iterations
    return env


def relative(a, b):
    """|a − b| relative to the larger magnitude (0 when both are 0; NaN stays NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0.0 else abs(a - b) / scale


def storm(path, elimination_states, max_iterations=10**8):
    """Storm's answers for the PRISM file at `path`.

    Returns (states, (U, f) by the long-run operators, their solver, (U, f) by regeneration).

    Regeneration: the chain returns to its initial state s0 again and again (the export starts
    every module in its recurrent class, so s0 is recurrent and the chain irreducible), so
    by the renewal-reward theorem U = E[down time per cycle] / E[cycle length] and f = E[outages
    per cycle] / E[cycle length], a cycle running from one entrance into s0 to the next. From s0
    the chain stays 1/q0 and moves to s' with probability q(s0, s')/q0; from s' on, Storm's
    expected rewards until reaching "init" (R{...}=? [F "init"], T=? [F "init"]) give the rest.
    The accumulated outage reward is the expected number of up->down transitions, since its
    rate is the total rate of such transitions. These are linear systems whose precision
    stormpy can set (1e-15, relative), unlike the long-run operators'.
    """
    program = stormpy.parse_prism_program(path, prism_compatibility=True)
    properties = stormpy.parse_properties(PROPERTIES, program)
    model = stormpy.build_model(program, properties)
    states = model.nr_states
    initial = model.initial_states[0]

    solver = "elimination" if states <= elimination_states else "gauss-seidel"
    lra = long_run(model, properties, solver)
    if solver == "gauss-seidel" and not all(map(math.isfinite, lra)) and states <= ELIMINATION_FALLBACK:
        solver = "elimination (Gauss-Seidel diverged)"
        lra = long_run(model, properties, "elimination")

    exit_rate = float(model.exit_rates[initial])
    rewards = model.reward_models
    if exit_rate == 0.0:  # nothing can fail
        down = float(rewards["down_time"].get_state_reward(initial))
        return states, lra, solver, (down, 0.0)
    env = reachability_environment(max_iterations)
    until = [stormpy.model_checking(model, prop, environment=env) for prop in properties[2:]]
    down = float(rewards["down_time"].get_state_reward(initial)) / exit_rate
    outages = float(rewards["outages"].get_state_reward(initial)) / exit_rate
    length = 1.0 / exit_rate
    for entry in model.transition_matrix.get_row(initial):
        probability = float(entry.value) / exit_rate
        down += probability * float(until[0].get_value(entry.column))
        outages += probability * float(until[1].get_value(entry.column))
        length += probability * float(until[2].get_value(entry.column))
    return states, lra, solver, (down / length, outages / length)


def gth(path):
    """U and f of the chain Storm builds from the PRISM file at `path`, by GTH.

    π solves πQ = 0: states are eliminated from the last, each one's outgoing rates folded
    into the remaining states in proportion (Grassmann, Taksar and Heyman 1985), using only
    additions, multiplications and divisions of non-negative numbers; then π is rebuilt
    forwards and normalised. U = Σ π over "down" states, f = Σ π · outage reward.
    """
    program = stormpy.parse_prism_program(path, prism_compatibility=True)
    properties = stormpy.parse_properties(PROPERTIES, program)
    model = stormpy.build_model(program, properties)
    n = model.nr_states
    rates = [dict() for _ in range(n)]
    for i in range(n):
        for entry in model.transition_matrix.get_row(i):
            if entry.column != i and float(entry.value) > 0.0:
                rates[i][entry.column] = rates[i].get(entry.column, 0.0) + float(entry.value)
    exits = [0.0] * n
    for k in range(n - 1, 0, -1):
        out = sum(rate for j, rate in rates[k].items() if j < k)
        exits[k] = out
        for i in range(k):
            toward = rates[i].get(k)
            if not toward:
                continue
            share = toward / out
            row = rates[i]
            for j, rate in rates[k].items():
                if j < k and j != i:
                    row[j] = row.get(j, 0.0) + share * rate
    pi = [0.0] * n
    pi[0] = 1.0
    for k in range(1, n):
        pi[k] = sum(pi[i] * rates[i].get(k, 0.0) for i in range(k)) / exits[k]
    total = sum(pi)
    down = model.labeling.get_states("down")
    outages = model.reward_models["outages"]
    u = sum(pi[i] for i in range(n) if down.get(i)) / total
    f = sum(pi[i] * float(outages.get_state_reward(i)) for i in range(n)) / total
    return u, f


def storm_unreliability(path, hours):
    """P(an outage within `hours` from the initial all-up state), by Storm."""
    program = stormpy.parse_prism_program(path, prism_compatibility=True)
    properties = stormpy.parse_properties(f'P=? [ F<={hours!r} "down" ]', program)
    model = stormpy.build_model(program, properties)
    result = stormpy.model_checking(model, properties[0])
    return float(result.get_value(model.initial_states[0]))


def reliability_line(nines, model, prism, hours):
    """('', text) when nines and Storm agree on the mission's unreliability or nines leaves it
    out; (problem, text) otherwise."""
    solved = subprocess.run(
        [nines, "solve", "--format", "json", "--mission", f"{hours}h", model], capture_output=True, text=True
    )
    if solved.returncode != 0:
        return "", "reliability n/a"
    ours = json.loads(solved.stdout.splitlines()[0]).get("unreliability")
    if ours is None:
        return "", "reliability n/a"
    theirs = storm_unreliability(prism, hours)
    difference = abs(float(ours) - theirs)
    text = f"P(outage in {hours:g}h) nines={float(ours):.9e} storm={theirs:.9e}"
    if difference <= 1e-6 * max(float(ours), theirs) or difference <= 1e-12:
        return "", text
    return f"the mission's unreliability differs by {difference:.1e}", text


def check(nines, model, args, workdir):
    """One model: ('ok' | 'refused' | 'FAIL', line)."""
    prism = os.path.join(workdir, re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.basename(model)) + ".prism")
    exported = subprocess.run(
        [nines, "export", "--format", "prism", model, "-o", prism],
        capture_output=True,
        text=True,
    )
    if exported.returncode != 0:
        message = " ".join(exported.stderr.split())
        if "export-limit" in exported.stderr:
            return "refused", f"refused  {model}  ({message})"
        return "FAIL", f"FAIL  {model}  nines export exited {exported.returncode}: {message}"
    solved = subprocess.run([nines, "solve", "--format", "json", model], capture_output=True, text=True)
    if solved.returncode != 0:
        message = " ".join(solved.stderr.split())
        return "FAIL", f"FAIL  {model}  nines solve exited {solved.returncode}: {message}"
    result = json.loads(solved.stdout.splitlines()[0])
    u_nines = float(result["unavailability"])
    f_nines = float(result["failures_per_year"]) / HOURS_PER_YEAR
    with open(prism, encoding="utf-8") as text:
        header = re.search(r"^// physical units: (\d+); modules: (\d+); states: ((?:at most )?\d+)$", text.read(), re.M)
    started = time.monotonic()
    try:
        states, (u_lra, f_lra), solver, (u_storm, f_storm) = storm(prism, args.elimination_states, args.max_iterations)
    except Exception as error:  # Storm's parser and builder raise RuntimeError subclasses
        return "FAIL", f"FAIL  {model}  Storm could not solve the export: {error}"
    seconds = time.monotonic() - started
    u_rel, f_rel = relative(u_nines, u_storm), relative(f_nines, f_storm)
    u_lra_rel, f_lra_rel = relative(u_nines, u_lra), relative(f_nines, f_lra)
    lra_tolerance = args.tolerance if solver.startswith("elimination") else max(args.tolerance, LRA_TOLERANCE)
    problems = []
    if header is None:
        problems.append("no state count in the export's header")
    elif header.group(3).startswith("at most "):
        if int(header.group(3)[8:]) < states:
            problems.append(f"header says {header.group(3)} states, Storm built {states}")
    elif int(header.group(3)) != states:
        problems.append(f"header says {header.group(3)} states, Storm built {states}")
    if not u_rel <= args.tolerance:
        problems.append(f"U differs by {u_rel:.1e}")
    if not f_rel <= args.tolerance:
        problems.append(f"f differs by {f_rel:.1e}")
    if not u_lra_rel <= lra_tolerance:
        problems.append(f"S=? [\"down\"] differs by {u_lra_rel:.1e}")
    if not f_lra_rel <= lra_tolerance:
        problems.append(f"R{{\"outages\"}}=? [S] differs by {f_lra_rel:.1e}")
    checked_by_gth = ""
    storm_numbers = {"U differs", "f differs", "S=? [\"down\"] differs", "R{\"outages\"}=? [S] differs"}
    solver_only = problems and all(any(p.startswith(n) for n in storm_numbers) for p in problems)
    if solver_only and u_lra_rel <= args.tolerance and f_lra_rel <= args.tolerance:
        # The long-run operators agree to the tolerance: only the regeneration solve fell
        # short (capped iterations on a stiff chain).
        checked_by_gth = f"  (regeneration short: {'; '.join(problems)}; the long-run operators agree)"
        problems = []
    if solver_only and problems and states <= args.gth_states:
        u_gth, f_gth = gth(prism)
        u_gth_rel, f_gth_rel = relative(u_nines, u_gth), relative(f_nines, f_gth)
        if u_gth_rel <= args.tolerance and f_gth_rel <= args.tolerance:
            checked_by_gth = (
                f"  (Storm's solvers miss the tolerance (a stiff chain, or capped iterations): {'; '.join(problems)}; "
                f"GTH on Storm's chain agrees: rel={u_gth_rel:.1e}, {f_gth_rel:.1e})"
            )
            problems = []
        else:
            problems.append(f"GTH on Storm's chain differs by {u_gth_rel:.1e}, {f_gth_rel:.1e}")
    if args.mission > 0:
        try:
            problem, mission_text = reliability_line(nines, model, prism, args.mission)
        except Exception as error:  # Storm's transient checker raises RuntimeError subclasses
            problem, mission_text = f"Storm's time-bounded check failed: {error}", ""
        if problem:
            problems.append(problem)
        checked_by_gth += f"  [{mission_text}]"
    units = header.group(1) if header else "?"
    line = (
        f"{model}  units={units} states={states}  "
        f"U nines={u_nines:.15e} storm={u_storm:.15e} rel={u_rel:.1e}  "
        f"f nines={f_nines:.15e} storm={f_storm:.15e} rel={f_rel:.1e}  "
        f"[S, R[S] by {solver}: rel={u_lra_rel:.1e}, {f_lra_rel:.1e}; {seconds:.2f} s]"
    )
    if problems:
        return "FAIL", f"FAIL  {line}  ({'; '.join(problems)})"
    return "ok", f"ok    {line}{checked_by_gth}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tolerance", type=float, default=1e-10, help="largest relative difference (default 1e-10)")
    parser.add_argument(
        "--elimination-states",
        type=int,
        default=ELIMINATION_STATES,
        help=f"largest chain solved by elimination, larger ones by Gauss-Seidel (default {ELIMINATION_STATES})",
    )
    parser.add_argument(
        "--gth-states",
        type=int,
        default=2500,
        help="largest chain re-solved by GTH when Storm's solvers miss the tolerance (default 2500)",
    )
    parser.add_argument(
        "--mission",
        type=float,
        default=720.0,
        help="mission hours for the reliability check P=? [ F<=T \"down\" ] (default 720; 0 skips it)",
    )
    parser.add_argument(
        "--max-iterations",
        type=int,
        default=10**8,
        help="most Gauss-Seidel iterations for the regeneration solve (default 1e8; on stiff chains "
        "a lower cap leaves it short of the tolerance and GTH decides, see --gth-states)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only failures, refusals and the summary")
    parser.add_argument("nines", help="the nines binary")
    parser.add_argument("models", nargs="+", help="model files (TOML)")
    args = parser.parse_args()
    # Storm warns about PRISM-style (non-Markovian) CTMC commands; that is the dialect we write.
    stormpy.developer.set_log_level(stormpy.developer.LogLevel.ERR)
    counts = {"ok": 0, "refused": 0, "FAIL": 0}
    print(f"stormpy {stormpy.__version__}, Storm {stormpy.info.storm_version()}, tolerance {args.tolerance:g}")
    with tempfile.TemporaryDirectory(prefix="nines-prism-") as workdir:
        # A private copy of the binary: a concurrent `cargo build` may replace the original.
        nines = os.path.join(workdir, "nines")
        shutil.copy2(args.nines, nines)
        for model in args.models:
            status, line = check(nines, model, args, workdir)
            counts[status] += 1
            if status != "ok" or not args.quiet:
                print(line, flush=True)
    print(f"prism: {counts['ok']} agreed, {counts['refused']} refused as too large, {counts['FAIL']} failed")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
