/** The parts of systeminformation the agent uses (so tests can pass a fake; LinuxSystemInfo implements them directly from /proc and /sys). */
export interface SystemInfoLib {
  currentLoad(): Promise<{ currentLoad: number }>;
  mem(): Promise<{ total: number; active: number }>;
  /**
   * Size and use of the mounted file systems; `wanted` (where the reader supports it: LinuxSystemInfo)
   * names the ones to read, so the others cost no statfs call at all.
   */
  fsSize(wanted?: (type: string, mount: string) => boolean): Promise<Array<{ type: string; size: number; use: number; mount: string }>>;
  cpuTemperature(): Promise<{ main: number | null; chipset?: number | null }>;
  networkInterfaces(): Promise<Array<{ iface: string; internal: boolean; virtual: boolean }>>;
  networkStats(ifaces?: string): Promise<Array<{ iface: string; operstate: string; rx_errors: number; tx_errors: number; rx_dropped: number; tx_dropped: number }>>;
  processes(): Promise<{ list: Array<{ name: string; command: string }> }>;
}
