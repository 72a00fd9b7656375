// Watching the directories that hold the serving pair. Kubernetes updates a Secret volume by writing
// a new timestamped directory and renaming the `..data` symlink onto it, so watching the files
// themselves would follow a dead inode: the DIRECTORY is watched, the watch is re-armed after
// renames, and a poll catches anything a watch misses (NFS, overlay file systems, a re-pointed
// directory symlink). Watch events are debounced so a multi-file update is read once.
import { watch, realpathSync, type FSWatcher } from 'node:fs'

function realpathOrUndefined(dir: string): string | undefined {
  try {
    return realpathSync(dir)
  } catch {
    return undefined
  }
}

/** One watched directory: where it resolved when armed, so a re-pointed symlink is noticed. */
class WatchedDir {
  realpath: string | undefined
  watcher: FSWatcher | undefined

  constructor(readonly dir: string) {}

  /** (Re)starts the watch; a directory that is gone for now is re-armed by the next poll. */
  arm(onEvent: (event: string) => void): void {
    this.close()
    this.realpath = realpathOrUndefined(this.dir)
    try {
      const watcher = watch(this.dir, { persistent: false }, onEvent)
      watcher.on('error', () => {
        watcher.close()
        if (this.watcher === watcher) this.watcher = undefined
      })
      this.watcher = watcher
    } catch {
      // The directory is gone for now; the poll re-arms once it is back.
    }
  }

  /** True when the watch is lost or the directory now resolves elsewhere. */
  stale(): boolean {
    return this.watcher === undefined || this.moved()
  }

  /** A rename that replaced the directory we hold (a re-pointed symlink). */
  moved(): boolean {
    return realpathOrUndefined(this.dir) !== this.realpath
  }

  close(): void {
    this.watcher?.close()
    this.watcher = undefined
  }
}

export interface DirectoryWatchOptions {
  pollIntervalMs: number
  /** Quiet period after a watch event before `look` is called. */
  debounceMs: number
  /** Called after a debounced watch event and on every poll tick. */
  look: () => void
}

/** Watches `dirs` and calls `look` when something may have changed; nothing runs until start(). */
export class DirectoryWatch {
  private readonly dirs: WatchedDir[]
  private pollTimer: NodeJS.Timeout | undefined
  private debounceTimer: NodeJS.Timeout | undefined
  private running = false

  constructor(
    dirs: readonly string[],
    private readonly options: DirectoryWatchOptions,
  ) {
    this.dirs = dirs.map((d) => new WatchedDir(d))
  }

  start(): void {
    this.running = true
    for (const d of this.dirs) this.arm(d)
    this.pollTimer = setInterval(() => this.poll(), this.options.pollIntervalMs)
    this.pollTimer.unref()
  }

  stop(): void {
    this.running = false
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer)
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer)
    this.pollTimer = undefined
    this.debounceTimer = undefined
    for (const d of this.dirs) d.close()
  }

  private arm(d: WatchedDir): void {
    d.arm((event) => {
      this.schedule()
      // A rename may have replaced the directory we hold (a re-pointed symlink): watch afresh.
      if (event === 'rename' && this.running && d.moved()) this.arm(d)
    })
  }

  private schedule(): void {
    if (!this.running) return
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer)
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined
      this.options.look()
    }, this.options.debounceMs)
    this.debounceTimer.unref()
  }

  private poll(): void {
    for (const d of this.dirs) if (d.stale()) this.arm(d)
    this.options.look()
  }
}
