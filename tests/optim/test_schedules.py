import math
import pickle

import numpy as np
import pytest

from sklr.optim import (
    Adaptive,
    Constant,
    Cosine,
    Cyclic,
    Exponential,
    InverseScaling,
    Join,
    LinearWarmup,
    OneCycle,
    StepDecay,
    get_schedule,
    warmup,
)
from sklr.optim.schedules import SCHEDULE_NAMES

ALL = [
    Constant(),
    Adaptive(),
    InverseScaling(power_t=0.3),
    StepDecay(step_size=3, gamma=0.5),
    Exponential(gamma=0.9),
    Cosine(n_steps=10, final=0.1),
    LinearWarmup(n_steps=4),
    warmup(3, Cosine(n_steps=7)),
    OneCycle(n_steps=20),
    Cyclic(step_size=4, base=0.2),
]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_picklable_and_previewable(schedule):
    clone = pickle.loads(pickle.dumps(schedule))
    assert clone == schedule
    np.testing.assert_array_equal(clone.values(25), schedule.values(25))
    assert schedule.values(25).shape == (25,)
    assert np.all(schedule.values(25) >= 0)


def test_closed_forms():
    steps = np.arange(30)
    np.testing.assert_allclose(InverseScaling(0.3).values(30), (steps + 1.0) ** -0.3)
    np.testing.assert_allclose(StepDecay(3, 0.5).values(30), 0.5 ** (steps // 3))
    np.testing.assert_allclose(Exponential(0.9).values(30), 0.9**steps)
    cos = 0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * np.minimum(steps, 10) / 10))
    np.testing.assert_allclose(Cosine(10, final=0.1).values(30), cos)
    np.testing.assert_allclose(LinearWarmup(4).values(6), [0, 0.25, 0.5, 0.75, 1, 1])
    tri = 0.2 + 0.8 * (1 - np.abs((steps % 8) / 4 - 1))
    np.testing.assert_allclose(Cyclic(step_size=4, base=0.2).values(30), tri)


def test_one_step_is_one_update_and_schedules_start_at_one():
    for s in [Constant(), InverseScaling(), StepDecay(), Exponential(), Cosine()]:
        assert s(0) == 1.0


def test_onecycle_shape():
    v = OneCycle(
        n_steps=100, pct_start=0.3, div_factor=25, final_div_factor=1e4
    ).values(101)
    assert v[0] == pytest.approx(1 / 25)
    assert int(np.argmax(v)) == 30 and v.max() == pytest.approx(1.0)
    assert v[100] == pytest.approx(1 / 25 / 1e4)
    assert np.all(np.diff(v[:31]) > 0) and np.all(np.diff(v[30:]) < 0)


def test_join_uses_local_steps():
    s = Join((Constant(), Exponential(0.5), Constant()), boundaries=(2, 4))
    assert s.values(6).tolist() == [1.0, 1.0, 1.0, 0.5, 1.0, 1.0]
    with pytest.raises(ValueError, match="boundaries"):
        Join((Constant(), Constant()), boundaries=())
    assert warmup(2, Adaptive()).reduces_on_plateau


def test_warmup_cosine_by_name_reaches_peak_then_decays():
    s = get_schedule("warmup_cosine", n_steps=100)
    v = s.values(100)
    assert v[0] == 0.0 and v[5] == pytest.approx(1.0) and v[-1] < 0.01
    assert math.isclose(v.max(), 1.0)


@pytest.mark.parametrize("name", SCHEDULE_NAMES)
def test_every_name_resolves(name):
    s = get_schedule(name, n_steps=50, steps_per_epoch=5)
    assert s.values(50).shape == (50,)


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'warp'"):
        get_schedule("warp", n_steps=10)
