"""Hook implementations of the built-in data sets."""

from fmcore import Component
from fmcore_datasets.csv_table import CsvData, build_csv
from fmcore_datasets.digits import Digits, build_digits
from fmcore_datasets.npy import NpyData, build_npy
from fmcore_datasets.toys import Checkerboard, Circles, EightGaussians, Moons, SwissRoll, build_toy


def fmcore_datasets() -> list[Component]:
    return [
        Component("moons", Moons, build=build_toy),
        Component("circles", Circles, build=build_toy),
        Component("8gaussians", EightGaussians, build=build_toy, aliases=("eight-gaussians",)),
        Component("checkerboard", Checkerboard, build=build_toy),
        Component("swissroll", SwissRoll, build=build_toy, aliases=("swiss-roll",)),
        Component("npy", NpyData, build=build_npy),
        Component("csv", CsvData, build=build_csv),
        Component("digits", Digits, build=build_digits),
    ]
