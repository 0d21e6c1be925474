"""gc_paused: the collector is off inside, back on after, and nothing escapes collection."""

import gc
import weakref

import pytest

from graphkit.heap import gc_paused


class Node:
    def __init__(self):
        self.other = None


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def _in_generation(obj, generation):
    return any(o is obj for o in gc.get_objects(generation=generation))


def test_objects_made_inside_end_in_the_oldest_generation_without_a_collection():
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with gc_paused():
            assert not gc.isenabled()
            kept = [[i] for i in range(10_000)]
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(count)
    assert collections == []
    assert _in_generation(kept, 2) and _in_generation(kept[-1], 2)
    assert not _in_generation(kept, 0)


def test_cyclic_garbage_made_inside_is_still_collected():
    with gc_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
    assert alive() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert alive() is None


def test_nested_blocks_resume_only_at_the_outermost():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    with gc_paused():
        made = [[1]]
    assert not gc.isenabled()
    assert not _in_generation(made, 2)  # left where Python put it: the caller owns the collector


def test_objects_the_program_froze_stay_frozen():
    frozen = [[0]]
    gc.freeze()
    try:
        with gc_paused():
            made = [[1]]
        assert gc.get_freeze_count() > 0
        assert not _in_generation(frozen, 2)
        assert not _in_generation(made, 2)  # not promoted: that would have released the program's frozen objects
    finally:
        gc.unfreeze()
