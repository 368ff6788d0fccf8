"""Seed robustness: a claim a notebook proves at its own seed must hold at other seeds too.

A notebook's assert about a random experiment proves the claim at one seed. The tests in
``test_seeds_lectureNN.py`` run the same nnkit computation at :data:`OTHER_SEEDS` (none of which a
notebook uses) and require the claim at ``need`` of them: all ten where the claim is exact, nine of
ten where the notebook says "in 9 of 10 runs".
"""

OTHER_SEEDS = tuple(range(1000, 1010))


def holds_at(claim, seeds=OTHER_SEEDS, need=None):
    """Run ``claim(seed)`` at every seed; it returns ``None`` when the claim holds and a short
    description of what it saw otherwise. Fails unless the claim holds at ``need`` seeds
    (default: all of them), listing the seeds where it did not."""
    need = len(seeds) if need is None else need
    failures = {seed: seen for seed in seeds if (seen := claim(seed)) is not None}
    held = len(seeds) - len(failures)
    assert held >= need, f"the claim held at {held} of {len(seeds)} seeds (need {need}); failed at {failures}"
    return failures
