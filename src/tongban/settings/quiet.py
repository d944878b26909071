"""Warnings a user would take for an error, silenced one by one (never all warnings).

pyHanko imports ``DSAPrivateKey`` from ``cryptography`` at import time, and cryptography 51
deprecates DSA: every process that loads the seals printed "CryptographyDeprecationWarning: DSA
is deprecated …" although tongban never signs with DSA. Only that warning, raised from pyHanko's
modules, is ignored; the same warning from any other module still shows.
"""

from __future__ import annotations

import warnings


def silence_known_warnings() -> None:
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings(
        "ignore",
        message=r"DSA is deprecated",
        category=CryptographyDeprecationWarning,
        module=r"pyhanko(\.|$)",
    )
