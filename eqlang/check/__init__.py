"""Checking: a loaded contract in, a checked program out, or every error found.

Checking runs in passes, each taking what the one before gave and giving what it could build
with its diagnostics: ``scope`` (the declarations of every module, the header, the measures
and stratifications), ``terms`` (organization inputs and attribution terms), ``names``
(every name resolved: core expressions, untyped), ``types`` (types and units), ``proofs``
(weights, tiers, exceptions, rounding, invariants),
``examples`` (worked examples), ``dependence`` (what depends on the organization being
settled) and ``cost`` (a bound of the work of settling, and of how deep rules call each
other). A program without errors then gets its ``warnings`` (``eqlang.check.warnings``):
what it accepts but its writer most likely did not mean. ``analyze`` gives the program even
when there are errors, with a symbol index, for editors; ``check`` gives it only when there
are none, and leaves warnings to ``analyze``.
"""

from __future__ import annotations

import attrs

from eqlang.check.cost import Costs
from eqlang.check.dependence import organization_dependence
from eqlang.check.names import Names
from eqlang.check.proofs import Proofs
from eqlang.check.scope import Declarations
from eqlang.check.terms import TermsPass
from eqlang.check.types import Types
from eqlang.check.warnings import check_warnings
from eqlang.core.program import Program, Symbols
from eqlang.diagnostics import Collector, Diagnostic, EqlangError
from eqlang.syntax import ast as s
from eqlang.syntax.modules import LoadedModule, load


@attrs.frozen
class Analysis:
    """A checked program as far as it could be built, every error found on the way, and,
    when there is none, the warnings about the main file."""

    program: Program
    diagnostics: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def analyze(main: LoadedModule) -> Analysis:
    """Run every pass of checking over a loaded contract and its modules."""
    diagnostics = Collector()
    declared = Declarations(main, diagnostics).run()
    terms = TermsPass(declared).run()
    resolved = Names(declared).run()
    typed = Types(declared, resolved, terms.inputs).run()
    Proofs(declared, typed).run()
    dependence = organization_dependence(typed.rules, typed.order)
    outputs = tuple(key for key, rule in typed.rules.items()
                    if rule.kind == "output" and rule.module == main.key)
    cost = Costs(declared, typed.rules, typed.parameters, dependence.organization_rules,
                 dependence.peer_aggregates, dependence.peer_inputs,
                 terms.inputs).run(outputs, typed.order)
    program = Program(
        main=main, modules=tuple(declared.modules), header=declared.header,
        periods=declared.periods, provider=declared.provider, measures=declared.measures,
        contract_measures=declared.main_measures, stratifications=declared.stratifications,
        group_strata=declared.group_strata, parameters=typed.parameters, rules=typed.rules,
        outputs=outputs, settled_as_of=declared.settled_as_of, invariants=typed.invariants,
        symbols=Symbols(declared.symbols, resolved.uses),
        organization_rules=dependence.organization_rules,
        constant_rules=dependence.constant_rules, peer_aggregates=dependence.peer_aggregates,
        cost=cost, inputs=terms.inputs, peer_inputs=dependence.peer_inputs,
        attribution=terms.attribution,
    )
    # Examples read the checked contract: the types of its outputs, its groups and periods.
    if any(isinstance(d, s.Example) for m in declared.modules for d in m.module.declarations):
        # Imported here: examples read measure and organization tables, whose readers a
        # contract without worked examples need not load.
        from eqlang.check.examples import check_examples

        examples, problems = check_examples(program)
        for problem in problems:
            diagnostics.add(problem)
        program = attrs.evolve(program, examples=examples)
    errors = tuple(diagnostics.finish("this contract and its modules"))
    # Warnings are about a program that means something: with an error, a name left
    # unresolved would make what uses it look unused.
    warnings = () if errors else tuple(check_warnings(program))
    return Analysis(program, errors, warnings)


def check(main: LoadedModule) -> Program:
    """Check a loaded contract and its modules; raise ``EqlangError`` with every error."""
    analysis = analyze(main)
    if analysis.diagnostics:
        raise EqlangError(analysis.diagnostics)
    return analysis.program


def load_and_check(path: str) -> Program:
    """Read, parse and check a contract file."""
    return check(load(path))
