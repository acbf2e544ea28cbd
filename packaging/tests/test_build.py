"""packaging/build, checked on what it wrote (stdlib unittest; packaging/tests/run runs it).

    PACKAGED=DIR BINARY=PATH python3 -m unittest packaging/tests/test_build.py

DIR is the OUTDIR of `packaging/build BINARY DIR`. The tests also build /bin/true (a small ELF
file) twice, to check that the same binary makes the same bytes."""

import base64
import csv
import hashlib
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_loader = importlib.machinery.SourceFileLoader("packaging_build", str(HERE.parent / "build"))
_spec = importlib.util.spec_from_loader(_loader.name, _loader)
build = importlib.util.module_from_spec(_spec)
_loader.exec_module(build)

PACKAGED = Path(os.environ.get("PACKAGED", "."))
BINARY = Path(os.environ.get("BINARY", "/bin/true"))
VERSION = build.cargo_version()


def one(pattern):
    found = sorted(PACKAGED.glob(pattern))
    if len(found) != 1:
        raise unittest.SkipTest(f"no single {pattern} in {PACKAGED} (set PACKAGED)")
    return found[0]


class Wheel(unittest.TestCase):
    def setUp(self):
        self.path = one("authmock-*.whl")
        self.archive = zipfile.ZipFile(self.path)
        self.addCleanup(self.archive.close)
        self.dist = f"authmock-{VERSION}"

    def test_record_lists_every_file_with_its_sha256_and_size(self):
        record = self.archive.read(f"{self.dist}.dist-info/RECORD").decode()
        rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(record))}
        self.assertEqual(set(rows), set(self.archive.namelist()))
        for name, (digest, size) in rows.items():
            if name.endswith("/RECORD"):
                self.assertEqual((digest, size), ("", ""))
                continue
            data = self.archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            self.assertEqual(digest, f"sha256={expected}", name)
            self.assertEqual(int(size), len(data), name)

    def test_the_tag_in_its_name_is_the_one_in_WHEEL_and_the_binary_is_an_executable_script(self):
        tag = re.fullmatch(rf"{self.dist}-py3-none-(.+)\.whl", self.path.name).group(1)
        wheel = self.archive.read(f"{self.dist}.dist-info/WHEEL").decode()
        self.assertEqual(re.findall(r"^Tag: py3-none-(.+)$", wheel, re.M), tag.split("."))
        self.assertIn("Root-Is-Purelib: false", wheel)
        script = self.archive.getinfo(f"{self.dist}.data/scripts/authmock")
        self.assertEqual((script.external_attr >> 16) & 0o777, 0o755)
        self.assertEqual(self.archive.read(script), BINARY.read_bytes())
        entry_points = self.archive.read(f"{self.dist}.dist-info/entry_points.txt").decode()
        self.assertIn("[pytest11]\nauthmock = authmock.pytest_plugin", entry_points)
        metadata = self.archive.read(f"{self.dist}.dist-info/METADATA").decode()
        self.assertIn(f"Name: authmock\nVersion: {VERSION}\n", metadata)

    @unittest.skipUnless(shutil.which("objdump"), "objdump not installed")
    def test_the_platform_tag_agrees_with_objdump(self):
        symbols = subprocess.run(["objdump", "-T", str(BINARY)], capture_output=True, text=True, check=True)
        glibc = max(int(v) for v in re.findall(r"GLIBC_2\.(\d+)", symbols.stdout))
        headers = subprocess.run(["objdump", "-p", str(BINARY)], capture_output=True, text=True, check=True)
        needed = re.findall(r"NEEDED\s+(\S+)", headers.stdout)
        arch, _ = build.elf_needs(BINARY.read_bytes())[0]
        self.assertEqual(build.elf_needs(BINARY.read_bytes())[1:], (needed, glibc, False))
        if set(needed) <= build.MANYLINUX_LIBS:
            self.assertIn(f"-manylinux_2_{max(glibc, 17)}_{arch}.whl", self.path.name)
        else:
            self.assertIn(f"-linux_{arch}.whl", self.path.name)


class PlatformTag(unittest.TestCase):
    def test_manylinux_names_the_newest_glibc_needed_and_never_below_2_17(self):
        self.assertEqual(build.platform_tag("x86_64", ["libc.so.6"], 34, False), "manylinux_2_34_x86_64")
        self.assertEqual(build.platform_tag("aarch64", ["libc.so.6"], 12, False), "manylinux_2_17_aarch64")

    def test_a_library_beyond_the_manylinux_set_keeps_the_wheel_to_this_kind_of_system(self):
        self.assertEqual(build.platform_tag("x86_64", ["libc.so.6", "libssl.so.3"], 28, False), "linux_x86_64")

    def test_a_static_binary_runs_on_glibc_and_musl_alike(self):
        self.assertEqual(build.platform_tag("x86_64", [], None, True),
                         "manylinux_2_17_x86_64.musllinux_1_1_x86_64")


class Npm(unittest.TestCase):
    def test_the_tarball_bundles_the_binary_and_asks_no_registry_for_it(self):
        with tarfile.open(one("authmock-*.tgz")) as archive:
            self.assertTrue(all(name.startswith("package/") for name in archive.getnames()))
            manifest = json.load(archive.extractfile("package/package.json"))
            self.assertEqual((manifest["name"], manifest["version"]), ("authmock", VERSION))
            self.assertNotIn("optionalDependencies", manifest)
            platform = build.elf_needs(BINARY.read_bytes())[0][1]
            binary = archive.getmember(f"package/vendor/linux-{platform}/authmock")
            self.assertEqual(binary.mode, 0o755)
            self.assertEqual(archive.extractfile(binary).read(), BINARY.read_bytes())
            self.assertEqual(archive.getmember("package/bin/authmock.js").mode, 0o755)
            for entry in ("index.cjs", "index.mjs", "index.d.ts"):
                self.assertIn(f"package/{entry}", archive.getnames())

    def test_the_publishable_main_package_depends_on_each_platform_package_built(self):
        tree = PACKAGED / "npm"
        if not tree.is_dir():
            raise unittest.SkipTest(f"no npm/ in {PACKAGED}")
        main = json.loads((tree / "authmock" / "package.json").read_text())
        platforms = sorted(p.name for p in tree.iterdir() if p.name != "authmock")
        self.assertEqual(main["optionalDependencies"], {f"@authmock/{p}": VERSION for p in platforms})
        self.assertFalse((tree / "authmock" / "vendor").exists())
        for name in platforms:
            package = json.loads((tree / name / "package.json").read_text())
            self.assertEqual([package["os"][0], package["cpu"][0]], name.split("-"))
            self.assertTrue(os.access(tree / name / "bin" / "authmock", os.X_OK))


class Reproducible(unittest.TestCase):
    def test_one_binary_makes_the_same_bytes_twice(self):
        digests = []
        with tempfile.TemporaryDirectory() as scratch:
            for attempt in ("a", "b"):
                out = Path(scratch) / attempt
                subprocess.run([str(HERE.parent / "build"), "/bin/true", str(out)], check=True,
                               capture_output=True)
                digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                                for p in out.iterdir() if p.is_file()})
        self.assertEqual(len(digests[0]), 2)
        self.assertEqual(digests[0], digests[1])


if __name__ == "__main__":
    unittest.main()
