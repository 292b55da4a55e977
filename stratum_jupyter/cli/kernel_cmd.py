"""``stratum kernel install``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kernel", help="Manage the 'Python 3 (Stratum)' kernel.")
    ksub = p.add_subparsers(dest="kernel_command", metavar="ACTION", required=True)
    inst = ksub.add_parser("install", help="Install the kernelspec.")
    where = inst.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="For this user.")
    where.add_argument("--sys-prefix", action="store_true", help="Into this environment.")
    where.add_argument("--prefix", help="Under this prefix.")
    inst.set_defaults(func=install)


def install(args: argparse.Namespace) -> int:
    from ..kernel import install_kernel

    path = install_kernel(user=args.user, sys_prefix=args.sys_prefix, prefix=args.prefix)
    print(f"installed kernelspec 'stratum' in {path}")
    return 0
