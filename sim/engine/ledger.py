"""The programme's money: sources paid in, uses paid out from their earmarked sources, balances.

Why a ledger and not a cost formula: Li (2026) §3.2 names "shortages of special funds" as a
reason the dual-mentor system under-delivers. A fund that runs dry must stop what it
pays for, so each week every use asks for its money in a fixed priority order and is
told what share of its need was paid; the mechanism that needs the money scales its
effect by that share.

Why earmarks and not one pool: in Chinese programmes each kind of money pays for named
things (a school's own budget for its mentors and bases, the government's employment
subsidy fund for the per-apprentice subsidy, the firms' share for consumables; the
mapping and its sources are ``funding.earmarks``, documented in ``sim.scenario.sources``).
So a use is paid only from the sources earmarked for it, the first listed drawn on
first: cutting one source makes what it pays for go short, and leaves the rest alone,
however much another source holds. Money in equals money out plus the balance, for
every source (a property the tests check).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import cast, get_args

import numpy as np

from sim.engine.compiled import compile_loops
from sim.scenario.schema import FundingSource

SOURCES: tuple[str, ...] = get_args(FundingSource)
"""Where the programme's money comes from."""

SHORT_TOLERANCE = 1e-9
"""A use "went short" in a week when less than ``1 - SHORT_TOLERANCE`` of its need was paid (rounding aside)."""


@dataclass(slots=True)
class ByUse:
    """One number per use of the programme's money, in priority order (the first is paid first).

    The funding phase hands the other phases a ``ByUse`` of funded shares (0-1; 1 when a
    use needed nothing); a misspelt use is an AttributeError, never "fully funded".
    """

    training_base: float
    school_mentor_remuneration: float
    practice_substitutes: float
    enterprise_mentor_remuneration: float
    contact_visits: float
    exam_fees: float
    apprentice_subsidy: float

    @classmethod
    def filled(cls, value: float) -> ByUse:
        """Every use at ``value``."""
        return cls(*(value,) * len(USES))

    def get(self, use: str) -> float:
        """The value of the use named ``use`` (for loops over ``USES``)."""
        return float(getattr(self, use))


USES: tuple[str, ...] = tuple(f.name for f in fields(ByUse))
"""Uses in priority order, as declared by ``ByUse``."""


def every_source() -> dict[str, tuple[str, ...]]:
    """An earmark mapping in which every use may draw on every source (in ``SOURCES`` order)."""
    return dict.fromkeys(USES, SOURCES)


class Ledger:
    """Balances by source, cumulative spending by source x use, and each use's shortfalls, in yuan.

    ``earmarks`` maps each use to the sources that pay for it, in the order they are
    drawn on (a scenario's ``funding.earmarks``); a use not in it is paid by no source.
    ``week_need`` and ``week_paid`` are the last ``pay_out``'s need and payment by use;
    ``weeks_short`` counts the weeks each use got less than it needed and ``unpaid``
    sums what it went without.
    """

    __slots__ = ("balance", "earmarks", "paid_in", "spent", "unpaid", "week_need", "week_paid", "weeks_short")

    def __init__(self, earmarks: Mapping[str, Sequence[str]] | None = None) -> None:
        earmarks = every_source() if earmarks is None else earmarks
        unknown = sorted(set(earmarks) - set(USES))
        if unknown:
            raise ValueError(f"earmarks for uses that do not exist: {unknown}")
        self.earmarks: tuple[tuple[int, ...], ...] = tuple(
            tuple(SOURCES.index(src) for src in earmarks.get(use, ())) for use in USES)
        self.balance = np.zeros(len(SOURCES))
        self.paid_in = np.zeros(len(SOURCES))
        self.spent = np.zeros((len(SOURCES), len(USES)))
        self.week_need = np.zeros(len(USES))
        self.week_paid = np.zeros(len(USES))
        self.weeks_short = np.zeros(len(USES), dtype=np.int64)
        self.unpaid = np.zeros(len(USES))

    def pay_in(self, source: str, yuan: float) -> None:
        """Money arriving from one source."""
        if yuan < 0:
            raise ValueError("a payment in cannot be negative")
        i = SOURCES.index(source)
        self.balance[i] += yuan
        self.paid_in[i] += yuan

    def pay_out(self, needs_yuan: ByUse) -> ByUse:
        """Pay this week's needs in priority order, each from its earmarked sources; return the share paid.

        Use ``j`` with need ``n_j`` draws ``min(remaining need, balance_s)`` from each of its
        sources ``s`` in the listed order, so it is paid ``min(n_j, sum of its sources'
        balances)`` (after the uses before it have drawn); its share is that over ``n_j``.
        """
        shares = ByUse.filled(1.0)
        for j, use in enumerate(USES):
            need = needs_yuan.get(use)
            self.week_need[j] = max(need, 0.0)
            self.week_paid[j] = 0.0
            if need <= 0.0:
                continue
            left = need
            for i in self.earmarks[j]:
                if left <= 0.0:
                    break
                take = min(left, float(self.balance[i]))
                if take > 0.0:
                    self.balance[i] -= take
                    self.spent[i, j] += take
                    left -= take
            paid = need - left
            self.week_paid[j] = paid
            if paid < need * (1.0 - SHORT_TOLERANCE):
                self.weeks_short[j] += 1
                self.unpaid[j] += need - paid
            setattr(shares, use, paid / need)
        return shares

    @property
    def total_spent(self) -> float:
        """Everything paid out so far, yuan."""
        return float(self.spent.sum())

    def spent_by_use(self) -> dict[str, float]:
        """Cumulative spending per use, yuan."""
        return {use: float(v) for use, v in zip(USES, self.spent.sum(axis=0), strict=True)}

    def spent_by_source(self) -> dict[str, float]:
        """Cumulative spending per source, yuan."""
        return {src: float(v) for src, v in zip(SOURCES, self.spent.sum(axis=1), strict=True)}

    def week_funded_share(self) -> dict[str, float]:
        """Share of each use's need paid by the last ``pay_out`` (NaN for a use that needed nothing)."""
        return {use: float(self.week_paid[j] / self.week_need[j]) if self.week_need[j] > 0 else float("nan")
                for j, use in enumerate(USES)}


def _pay_out_rows(needs: np.ndarray, earmarks: np.ndarray, balance: np.ndarray, spent: np.ndarray,
                  week_need: np.ndarray, week_paid: np.ndarray, weeks_short: np.ndarray, unpaid: np.ndarray,
                  shares: np.ndarray) -> None:
    """``Ledger.pay_out`` of every row (run) of a ``LedgerStack`` in one pass (compiled by numba when installed).

    The same IEEE operations in the same order as ``Ledger.pay_out`` for each run: ``max``
    and ``min`` written as the comparisons Python's make (the first argument kept unless the
    second is strictly greater, or smaller), the earmarks a table padded with -1.
    """
    tolerance = 1.0 - SHORT_TOLERANCE
    for r in range(needs.shape[0]):
        for j in range(needs.shape[1]):
            need = needs[r, j]
            week_need[r, j] = 0.0 if 0.0 > need else need  # max(need, 0.0)
            week_paid[r, j] = 0.0
            shares[r, j] = 1.0
            if need <= 0.0:
                continue
            left = need
            for k in range(earmarks.shape[2]):
                i = earmarks[r, j, k]
                if i < 0 or left <= 0.0:
                    break
                held = balance[r, i]
                take = held if held < left else left  # min(left, held)
                if take > 0.0:
                    balance[r, i] -= take
                    spent[r, i, j] += take
                    left -= take
            paid = need - left
            week_paid[r, j] = paid
            if paid < need * tolerance:
                weeks_short[r, j] += 1
                unpaid[r, j] += need - paid
            shares[r, j] = paid / need


class LedgerStack:
    """The ledgers of a batch's runs as one set of arrays, run first; each run's ``Ledger`` holds views of its row.

    Why: a batch pays every run's needs each week, and ``Ledger.pay_out`` is some fifty
    small operations a run; with the compiled loop (``sim.engine.compiled``) the rows are
    paid in one call, each exactly as its ledger alone would pay it (without numba, run by
    run through each ``Ledger``). The weekly record reads the stacked arrays as they are.
    A stack of one ledger views its arrays without a copy.
    """

    __slots__ = ("balance", "earmarks", "ledgers", "paid_in", "spent", "unpaid", "week_need", "week_paid",
                 "weeks_short")

    def __init__(self, ledgers: Sequence[Ledger]) -> None:
        self.ledgers = tuple(ledgers)
        self.balance = self._stacked("balance")
        self.paid_in = self._stacked("paid_in")
        self.spent = self._stacked("spent")
        self.week_need = self._stacked("week_need")
        self.week_paid = self._stacked("week_paid")
        self.weeks_short = self._stacked("weeks_short")
        self.unpaid = self._stacked("unpaid")
        widest = max((len(sources) for ledger in self.ledgers for sources in ledger.earmarks), default=0)
        self.earmarks = np.full((len(self.ledgers), len(USES), widest), -1, dtype=np.int64)
        for g, ledger in enumerate(self.ledgers):
            for j, sources in enumerate(ledger.earmarks):
                self.earmarks[g, j, :len(sources)] = sources

    def rows(self, first: int, stop: int) -> LedgerStack:
        """The stack of ledgers ``first`` to ``stop - 1``, views of their rows of this one: paying either pays both.

        A city's stack in a batch of cities (``Batch.of_cities``).
        """
        part = LedgerStack.__new__(LedgerStack)
        part.ledgers = self.ledgers[first:stop]
        for name in ("balance", "paid_in", "spent", "week_need", "week_paid", "weeks_short", "unpaid", "earmarks"):
            setattr(part, name, getattr(self, name)[first:stop])
        return part

    def _stacked(self, name: str) -> np.ndarray:
        """The ledgers' array ``name`` stacked, each ledger's now a view of its row (one ledger: viewed, no copy)."""
        if len(self.ledgers) == 1:
            return np.asarray(getattr(self.ledgers[0], name))[None]
        whole = np.stack([getattr(ledger, name) for ledger in self.ledgers])
        for g, ledger in enumerate(self.ledgers):
            setattr(ledger, name, whole[g])
        return whole

    def pay_in(self, source: str, yuan: np.ndarray) -> None:
        """Money arriving from one source in every run (``yuan[g]``: run ``g``'s), as each run's ``Ledger.pay_in``.

        Runs paid nothing (0 yuan) are left as they are, as a run alone makes no payment then.
        """
        if (yuan < 0).any():
            raise ValueError("a payment in cannot be negative")
        i = SOURCES.index(source)
        runs = np.flatnonzero(yuan)
        self.balance[runs, i] += yuan[runs]
        self.paid_in[runs, i] += yuan[runs]

    def pay_out(self, needs_yuan: np.ndarray) -> list[ByUse]:
        """Every run's ``Ledger.pay_out`` of its row of ``needs_yuan`` (runs x uses, yuan); the shares paid, by run."""
        loops = compile_loops(_pay_out_rows)
        rows: list[list[float]] = needs_yuan.tolist()
        if loops is None:
            return [ledger.pay_out(ByUse(*row)) for ledger, row in zip(self.ledgers, rows, strict=True)]
        shares = np.empty(needs_yuan.shape)
        loops[0](needs_yuan, self.earmarks, self.balance, self.spent, self.week_need, self.week_paid,
                 self.weeks_short, self.unpaid, shares)
        paid = cast(list[list[float]], shares.tolist())
        return [ByUse(*row) for row in paid]
