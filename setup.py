# pbr reads everything from setup.cfg; this shim exists for tools that still call setup.py.
import setuptools

setuptools.setup(pbr=True)
