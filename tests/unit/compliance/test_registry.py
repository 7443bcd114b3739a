"""National DNC registry: import formats, rejects, atomicity and lookups."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.compliance import registry as registry_module
from engine.compliance.registry import Registry, RegistryError, import_registry

FORMATS = [
    b"2015550100", b"201,5550101", b"12015550102", b"+12015550103", b"201-555-0104",
    b"201,555-0105", b"(201) 555-0106", b"201,5550107,A,2024-01-01",
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_ftc_line_shape_is_read(tmp_path: Path) -> None:
    source = write(tmp_path, "dnc.txt", b"\n".join(FORMATS) + b"\n")
    stats = import_registry([source], tmp_path / "reg.npy")
    registry = Registry.open(tmp_path / "reg.npy")
    assert list(registry.numbers) == list(range(2015550100, 2015550108))
    assert (stats.lines, stats.accepted, stats.malformed, stats.size) == (8, 8, 0, 8)


def test_crlf_blank_lines_and_bom(tmp_path: Path) -> None:
    source = write(tmp_path, "dnc.txt", b"\xef\xbb\xbf2015550100\r\n\r\n2015550101\r\n")
    stats = import_registry([source], tmp_path / "reg.npy")
    assert len(Registry.open(tmp_path / "reg.npy")) == 2
    assert stats.blank == 1 and stats.malformed == 0


def test_malformed_lines_are_counted_with_line_numbers(tmp_path: Path) -> None:
    source = write(
        tmp_path, "dnc.txt",
        b"2015550100\nhello\n0015550100\n2011550100\n20155501\n2015550101\n",
    )
    stats = import_registry([source], tmp_path / "reg.npy")
    assert stats.malformed == 4  # text, area code 0.., exchange 1.., too short
    assert [line for _, line, _ in stats.malformed_samples] == [2, 3, 4, 5]
    assert list(Registry.open(tmp_path / "reg.npy").numbers) == [2015550100, 2015550101]


def test_bad_line_among_equal_length_lines_is_reported(tmp_path: Path) -> None:
    # Equal-length lines take the fast path; one bad line must still be found and reported.
    source = write(tmp_path, "dnc.txt", b"2015550100\n0015550100\n2015550101\n")
    stats = import_registry([source], tmp_path / "reg.npy")
    assert stats.malformed_samples == [(str(source), 2, "0015550100")]
    assert stats.size == 2


def test_many_bad_numbers_are_all_counted_and_the_first_ones_sampled(tmp_path: Path) -> None:
    # Area codes or exchanges starting with 0/1 among well-shaped lines, in every chunk.
    lines = [b"201%d550100" % (i % 2) if i % 3 == 0 else b"2015%06d" % i for i in range(3000)]
    source = write(tmp_path, "dnc.txt", b"\n".join(lines) + b"\n")
    stats = import_registry([source], tmp_path / "reg.npy", chunk_bytes=1000)
    assert stats.malformed == 1000 and stats.accepted == 2000
    assert [line for _, line, _ in stats.malformed_samples] == list(range(1, 31, 3))
    assert stats.malformed_samples[1][2] == "2011550100"


def test_sorted_sources_sharing_numbers_are_merged_without_repeats(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", b"2015550100\n2015550101\n2015550102\n")
    b = write(tmp_path, "b.txt", b"2015550102\n2015550103\n")
    stats = import_registry([a, b], tmp_path / "reg.npy", chunk_bytes=11)
    assert list(Registry.open(tmp_path / "reg.npy").numbers) == list(range(2015550100, 2015550104))
    assert (stats.accepted, stats.size) == (5, 4)


def test_truncated_last_line_fails_and_keeps_the_old_registry(tmp_path: Path) -> None:
    dest = tmp_path / "reg.npy"
    import_registry([write(tmp_path, "old.txt", b"3055550100\n")], dest)
    truncated = write(tmp_path, "new.txt", b"2015550100\n20155")
    with pytest.raises(RegistryError, match=r"new.txt is truncated: line 2 '20155'"):
        import_registry([truncated], dest)
    assert list(Registry.open(dest).numbers) == [3055550100]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt", "old.txt", "reg.npy"]


def test_whole_last_line_without_newline_is_imported_and_reported(tmp_path: Path) -> None:
    source = write(tmp_path, "dnc.txt", b"2015550100\n2015550101")
    stats = import_registry([source], tmp_path / "reg.npy")
    assert stats.size == 2
    assert stats.unterminated_files == [str(source)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\n\n  \n", "is empty"),
        ("2015550100\n".encode("utf-16"), "UTF-16"),
        (b"2\x000\x001\x00", "NUL bytes"),
        (b"PK\x03\x04rest", "unzip it"),
        (b"\x1f\x8b\x08rest", "gunzip it"),
        (b"<?xml version='1.0'?><dnc/>", "is XML"),
        (b"name,phone\nbob,hello\n", "no phone numbers found"),
    ],
)
def test_unusable_files_give_one_line_errors(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(RegistryError, match=message) as caught:
        import_registry([write(tmp_path, "dnc.txt", data)], tmp_path / "reg.npy")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "reg.npy").exists()


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read"):
        import_registry([tmp_path / "nope.txt"], tmp_path / "reg.npy")


def test_failure_while_writing_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "reg.npy"
    import_registry([write(tmp_path, "old.txt", b"3055550100\n")], dest)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(registry_module.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        import_registry([write(tmp_path, "new.txt", b"2015550100\n")], dest)
    monkeypatch.undo()
    assert list(Registry.open(dest).numbers) == [3055550100]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt", "old.txt", "reg.npy"]


def test_merge_keeps_existing_numbers_and_replace_drops_them(tmp_path: Path) -> None:
    dest = tmp_path / "reg.npy"
    import_registry([write(tmp_path, "a.txt", b"3055550100\n2015550100\n")], dest)
    stats = import_registry([write(tmp_path, "b.txt", b"2015550100\n4045550100\n")], dest,
                            merge=True)
    assert list(Registry.open(dest).numbers) == [2015550100, 3055550100, 4045550100]
    assert (stats.previous_size, stats.size, stats.added) == (2, 3, 1)
    import_registry([tmp_path / "b.txt"], dest)
    assert list(Registry.open(dest).numbers) == [2015550100, 4045550100]


def test_replace_repairs_a_damaged_registry(tmp_path: Path) -> None:
    dest = tmp_path / "reg.npy"
    dest.write_bytes(b"damaged")
    stats = import_registry([write(tmp_path, "a.txt", b"2015550100\n")], dest)
    assert stats.previous_size == 0
    assert list(Registry.open(dest).numbers) == [2015550100]


def test_several_sources_and_progress_in_bytes(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", b"2015550100\n")
    b = write(tmp_path, "b.txt", b"201,5550101\n201,5550100\n")
    seen: list[int] = []
    stats = import_registry([a, b], tmp_path / "reg.npy", seen.append)
    assert stats.files == 2 and stats.size == 2
    assert sum(seen) == a.stat().st_size + b.stat().st_size


def test_open_rejects_what_is_not_a_registry(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no registry at"):
        Registry.open(tmp_path / "missing.npy")
    np.save(tmp_path / "floats.npy", np.zeros(3))
    with pytest.raises(RegistryError, match="not a registry file"):
        Registry.open(tmp_path / "floats.npy")
    (tmp_path / "junk.npy").write_bytes(b"junk")
    with pytest.raises(RegistryError, match="not a registry file"):
        Registry.open(tmp_path / "junk.npy")


def test_contains_takes_e164_and_ignores_foreign_numbers(tmp_path: Path) -> None:
    import_registry([write(tmp_path, "a.txt", b"2015550100\n")], tmp_path / "reg.npy")
    registry = Registry.open(tmp_path / "reg.npy")
    assert registry.contains("+12015550100")
    assert registry.contains("2015550100")
    assert not registry.contains("+12015550101")
    assert not registry.contains("+442015550100")


nanp = st.integers(200, 999).flatmap(
    lambda npa: st.integers(200, 999).flatmap(
        lambda nxx: st.integers(0, 9999).map(lambda line: npa * 10**7 + nxx * 10**4 + line)))
shapes = st.sampled_from([
    lambda n: f"{n}", lambda n: f"{n // 10**7},{n % 10**7:07d}", lambda n: f"1{n}",
    lambda n: f"{n // 10**7}-{n // 10**4 % 1000}-{n % 10**4:04d}",
    lambda n: f"{n // 10**7},{n % 10**7:07d},D,2025-01-01",
])


@settings(max_examples=60, deadline=None)
@given(
    registered=st.lists(st.tuples(nanp, shapes), min_size=1, max_size=80),
    queries=st.lists(nanp, max_size=80),
    chunk=st.sampled_from([7, 23, 64, 1 << 20]),
    crlf=st.booleans(),
)
def test_lookups_agree_with_a_python_set(
    tmp_path_factory: pytest.TempPathFactory, registered, queries, chunk, crlf
) -> None:
    tmp_path = tmp_path_factory.mktemp("reg")
    newline = "\r\n" if crlf else "\n"
    text = "".join(shape(n) + newline for n, shape in registered)
    source = write(tmp_path, "dnc.txt", text.encode())
    expected = {n for n, _ in registered}
    # Small chunks exercise lines split across reads.
    stats = import_registry([source], tmp_path / "reg.npy", chunk_bytes=chunk)
    registry = Registry.open(tmp_path / "reg.npy")
    assert stats.malformed == 0 and len(registry) == len(expected)
    probe = np.array(queries + [n for n, _ in registered], dtype=np.int64)
    hits = registry.contains_many(probe)
    assert hits.tolist() == [int(n) in expected for n in probe]
    assert all(registry.contains(f"+1{n}") == (n in expected) for n in queries)
