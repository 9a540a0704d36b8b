# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""``python -m tests.bench``: run the benchmarks, print one table of figures.

Dragon is (re)started at both sites from this tree, as ``make demo`` does;
the minicloud must already run.  Each benchmark removes what it made; the
work several share (the N MiB server, its checkpoints, scripted backup and
recovery) is removed at the end of the run.
"""
import argparse
import datetime
import os
import platform
import sys
import traceback

from tests.bench import common
from tests.bench import concurrency
from tests.bench import encryption
from tests.bench import memory
from tests.bench import recovery
from tests.bench import reprotect
from tests.bench import scale
from tests.bench import sweep
from tests.bench import three_tier
from tests.bench import throughput

# Scale boots hundreds of servers: last, so a short run still has the rest.
BENCHMARKS = (throughput, reprotect, memory, recovery, encryption,
              three_tier, concurrency, scale)


def _ints(text):
    return [int(x) for x in text.split(',') if x]


def parse(argv):
    names = [b.NAME for b in BENCHMARKS]
    parser = argparse.ArgumentParser(prog='python -m tests.bench',
                                     description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=1024,
                        help='bytes on the data server\'s disk (default 1024)')
    parser.add_argument('--only', default=','.join(names),
                        help='comma-separated subset of: %s' % ', '.join(names))
    parser.add_argument('--servers', type=_ints, default=[10, 100, 300],
                        help='server counts of the scale benchmark '
                             '(default 10,100,300)')
    parser.add_argument('--memory-mib', type=_ints, default=None,
                        help='image sizes of the memory benchmark '
                             '(default N/4,N)')
    parser.add_argument('--profile', metavar='DIR', default=None,
                        help='sample the engine with py-spy during Dragon\'s '
                             'protect and recovery; raw stacks go to DIR')
    parser.add_argument('--repeat', type=int, default=3, metavar='N',
                        help='runs of each throughput figure, Dragon and '
                             'baselines interleaved; the median is printed '
                             'with min-max (default 3)')
    parser.add_argument('--data', default='both',
                        choices=common.DATA_KINDS + ('both',),
                        help='the data server\'s bytes: random '
                             '(incompressible), compressible, or both '
                             '(default both; the other benchmarks use '
                             'random)')
    parser.add_argument('--engine-option', action='append', default=[],
                        metavar='GROUP.NAME=VALUE',
                        help='an engine option for this run, at both sites '
                             '(e.g. checkpoint.upload_md5=never: what '
                             '"auto" does for an https Swift); repeatable')
    parser.add_argument('--sweep', action='store_true',
                        help='only remove what an interrupted run left '
                             '(everything named bench-...)')
    args = parser.parse_args(argv)
    args.only = [n.strip() for n in args.only.split(',') if n.strip()]
    if args.repeat < 1:
        parser.error('--repeat must be at least 1')
    args.engine_options = {}
    for option in args.engine_option:
        name, sep, value = option.partition('=')
        if not sep or name.count('.') != 1 or not all(name.split('.')):
            parser.error('--engine-option takes GROUP.NAME=VALUE, not %r'
                         % option)
        args.engine_options[name] = value
    args.data = list(common.DATA_KINDS) if args.data == 'both' else [
        args.data]
    unknown = set(args.only) - set(names)
    if unknown:
        parser.error('unknown benchmark(s): %s' % ', '.join(sorted(unknown)))
    return args


def machine() -> str:
    mem_kib = next(int(line.split()[1]) for line in open('/proc/meminfo')
                   if line.startswith('MemTotal:'))
    return '%d CPUs, %.1f GiB RAM, Linux %s, Python %s' % (
        os.cpu_count(), mem_kib / 1024 / 1024, platform.release(),
        platform.python_version())


def table(rows) -> str:
    head = ('benchmark', 'figure', 'measured', 'goal', '')
    cells = [head] + [(r.bench, r.figure, r.value, r.goal, r.verdict)
                      for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]

    def line(c):
        return '  '.join(x.ljust(w) for x, w in zip(c, widths)).rstrip()

    return '\n'.join([line(head), line(['-' * w for w in widths])] +
                     [line(c) for c in cells[1:]])


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    args = parse(argv)
    size = args.size_mib * common.MiB
    started = datetime.datetime.now(datetime.UTC)
    print('Dragon benchmarks, %s UTC, %s' % (started.strftime('%Y-%m-%d %H:%M'),
                                            machine()))
    env = common.Env()
    if args.sweep:
        sweep.run(env)
        return 0
    print('(re)starting Dragon at both sites%s' % ''.join(
        ', %s = %s' % kv for kv in sorted(args.engine_options.items())))
    env.up(args.engine_options)
    failed = []
    with common.Cleanup() as cleanup:
        run = common.Run(env, size, cleanup)
        run.server_counts = args.servers
        run.profile_dir = args.profile
        run.repeat = args.repeat
        run.data_kinds = args.data
        run.memory_sizes = [m * common.MiB for m in args.memory_mib] \
            if args.memory_mib else [size // 4, size]
        for bench in BENCHMARKS:
            if bench.NAME not in args.only:
                continue
            print('\n== %s' % bench.NAME)
            with common.Timer() as t:
                try:
                    bench.run(run)
                except KeyboardInterrupt:
                    print('\ninterrupted: cleaning up')
                    break
                except Exception as exc:   # noqa: BLE001 - report, go on
                    traceback.print_exc()
                    failed.append(bench.NAME)
                    run.row(bench.NAME, 'FAILED', str(exc).splitlines()[0]
                            if str(exc) else type(exc).__name__)
            print('   (%s: %.0f s)' % (bench.NAME, t.seconds))
        print('\ncleaning up')
    print('\n' + table(run.rows))
    print('\n%d figures; %d goals met, %d missed; %s' % (
        len(run.rows), sum(r.met is True for r in run.rows),
        sum(r.met is False for r in run.rows),
        'failed: ' + ', '.join(failed) if failed else 'no benchmark failed'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
