/**
 * Router processes: finding them, pinning them to CPU 0 (and the clients to the other CPUs), and
 * reading their CPU time. Shared by rpc.mjs (Crossbar.io) and client-cpu.mjs (the echo router).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** The processes of the router's process group (`pgid`), from /proc. */
export function routerPids(pgid) {
  const pids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * CPU pinning (default; `--no-pin` turns it off): the router's processes on CPU 0, every client
 * worker on the other CPUs. On a small machine the router (CPython) otherwise runs on the same
 * CPUs as the clients between their messages, evicting their caches, so a client's CPU time
 * measures the router's working set as much as its own. Needs `taskset` (util-linux) and at least
 * two CPUs; without them the run goes on unpinned and says so. Returns the settings the workers
 * start with, or null.
 */
export function pinRouter(pids) {
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((f) => fs.existsSync(f));
  const why =
    cpus < 2 ? `${cpus} CPU` : !taskset ? 'no taskset' : pids.length === 0 ? 'router processes not found' : null;
  if (why) {
    process.stderr.write(`[bench] not pinning CPUs (${why}): router and clients share all CPUs\n`);
    return null;
  }
  for (const pid of pids) {
    try {
      execFileSync(taskset, ['-a', '-cp', '0', String(pid)], { stdio: 'ignore' });
    } catch {
      /* a process that ended */
    }
  }
  const clients = cpus === 2 ? '1' : `1-${cpus - 1}`;
  process.stderr.write(`[bench] pinned the router to CPU 0 and the clients to CPU ${clients}\n`);
  return { taskset, clients };
}

/** CPU time (µs) used so far by the router's processes (all threads), from /proc schedstat. */
export function routerCpuUs(pids) {
  let ns = 0;
  for (const pid of pids) {
    let tasks;
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        /* gone */
      }
    }
  }
  return ns / 1000;
}
