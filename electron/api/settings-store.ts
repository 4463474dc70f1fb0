/**
 * Settings (theme, language) and the recent-files list, kept as two small
 * JSON files in the user's configuration folder. A missing or damaged file
 * reads as the defaults; nothing here can stop the app from starting.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { LanguageSetting, ThemeSetting, type RecentFile, type Settings } from './contract';

export const MAX_RECENT_FILES = 10;
export const DEFAULT_SETTINGS: Settings = { theme: 'system', language: 'system' };

const StoredSettings = z.object({ theme: ThemeSetting.catch('system'), language: LanguageSetting.catch('system') });
const StoredRecent = z.array(z.object({ path: z.string().max(4096), name: z.string().max(4096), openedAt: z.number() })).max(100);

/** $TLSWB_CONFIG_DIR, else $XDG_CONFIG_HOME/tlswb, else ~/.config/tlswb. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TLSWB_CONFIG_DIR) return env.TLSWB_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'tlswb');
}

export class SettingsStore {
  constructor(private readonly dir: string) {}

  async getSettings(): Promise<Settings> {
    const parsed = StoredSettings.safeParse(await this.readJson('settings.json'));
    return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
  }

  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...(await this.getSettings()), ...patch };
    await this.writeJson('settings.json', next);
    return next;
  }

  async recentFiles(): Promise<RecentFile[]> {
    const parsed = StoredRecent.safeParse(await this.readJson('recent.json'));
    return parsed.success ? parsed.data.slice(0, MAX_RECENT_FILES) : [];
  }

  async addRecentFile(path: string, now = Date.now()): Promise<RecentFile[]> {
    const list = (await this.recentFiles()).filter((r) => r.path !== path);
    list.unshift({ path, name: basename(path), openedAt: now });
    const trimmed = list.slice(0, MAX_RECENT_FILES);
    await this.writeJson('recent.json', trimmed);
    return trimmed;
  }

  private async readJson(name: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.dir, name), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Write-then-rename, so a crash never leaves half a file. */
  private async writeJson(name: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = join(this.dir, name);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, target);
  }
}
