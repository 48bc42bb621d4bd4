"""The programme's money: sources paid in, uses paid out, balance carried over.

Why a ledger and not a cost formula: seed 003 names "shortages of special funds" as a
reason the dual-mentor system under-delivers. A fund that runs dry must stop what it
pays for, so each week every use asks for its money in a fixed priority order and is
told what share of its need was paid; the mechanism that needs the money scales its
effect by that share. Each payment is drawn from the sources in proportion to their
balances, so spending can be reported by source and by use, and money in always
equals money out plus the balance (a property the tests check).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

SOURCES = ("school_special_fund", "government", "enterprise_cost_sharing")
"""Where the programme's money comes from."""


@dataclass(slots=True)
class ByUse:
    """One number per use of the programme's money, in priority order (the first is paid first).

    The funding phase hands the other phases a ``ByUse`` of funded shares (0-1; 1 when a
    use needed nothing); a misspelt use is an AttributeError, never "fully funded".
    """

    training_base: float
    school_mentor_remuneration: float
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


class Ledger:
    """Balances by source and cumulative spending by source x use, in yuan."""

    __slots__ = ("balance", "paid_in", "spent")

    def __init__(self) -> None:
        self.balance = np.zeros(len(SOURCES))
        self.paid_in = np.zeros(len(SOURCES))
        self.spent = np.zeros((len(SOURCES), len(USES)))

    def pay_in(self, source: str, yuan: float) -> None:
        """Money arriving from one source."""
        if yuan < 0:
            raise ValueError("a payment in cannot be negative")
        i = SOURCES.index(source)
        self.balance[i] += yuan
        self.paid_in[i] += yuan

    def pay_out(self, needs_yuan: ByUse) -> ByUse:
        """Pay this week's needs in priority order; return the share of each need paid."""
        shares = ByUse.filled(1.0)
        for j, use in enumerate(USES):
            need = needs_yuan.get(use)
            if need <= 0.0:
                continue
            available = self.balance.sum()
            paid = min(need, available)
            if paid > 0.0:
                by_source = self.balance * (paid / available)
                self.balance -= by_source
                np.maximum(self.balance, 0.0, out=self.balance)
                self.spent[:, j] += by_source
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
