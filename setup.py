"""The build step pyproject.toml cannot declare: a wheel carries the built-in theme.

The theme lives in the repository's top-level templates/ and static/ (the demo site that
`make build` publishes uses them there), so a wheel's build copies them into the package
as sitegen/theme_files/, in the build folder only; sitegen.theme finds them there.
MANIFEST.in puts them in an sdist too. An editable install reads them where they are.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

THEME = ("templates", "static")


class BuildWithTheme(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in THEME:
            target = Path(self.build_lib) / "sitegen" / "theme_files" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(name, target)


setup(cmdclass={"build_py": BuildWithTheme})
