import t from 'tap';
import { LogMatcher } from '../../agent/core/log-matcher.js';
import { createParser } from '../../agent/core/log-parsers/index.js';
import gateway from '../../firmware-adapters/devices/linux-gateway.js';

const parse = createParser({ format: 'syslog3164', zone: 'utc' });
const matcher = new LogMatcher(gateway.logPatterns ?? []);

/** A syslog line as a gateway writes it -> the fault code and message it raises (undefined: none). */
const cases: Array<[string, string | undefined, RegExp | undefined]> = [
  ['<3>Mar  4 10:00:01 gw-7 kernel: [12345.678901] Out of memory: Killed process 2211 (node) total-vm:812345kB, anon-rss:402112kB',
    'gw.oom_kill', /OOM killer ended node \(pid 2211\)/],
  ['<3>Mar  4 10:00:02 gw-7 kernel: [ 812.000001] blk_update_request: I/O error, dev mmcblk0, sector 123456 op 0x1:(WRITE)', 'gw.disk_io_error', /mmcblk0/],
  ['<3>Mar  4 10:00:03 gw-7 kernel: Buffer I/O error on device mmcblk0p3, logical block 42', 'gw.disk_io_error', /mmcblk0p3/],
  ['<2>Mar  4 10:00:04 gw-7 kernel: EXT4-fs error (device mmcblk0p3): ext4_find_entry:1455: inode #2: comm sh: reading directory lblock 0', 'gw.filesystem_error', /mmcblk0p3/],
  ['<6>Mar  4 10:00:05 gw-7 kernel: [ 99.1] fec 30be0000.ethernet eth0: Link is Down', 'gw.link_down', /eth0 went down/],
  ['<6>Mar  4 10:00:05 gw-7 kernel: [ 99.1] e1000e: enp2s0 NIC Link is Down', 'gw.link_down', /enp2s0/],
  ['<6>Mar  4 10:00:06 gw-7 kernel: [ 99.2] fec 30be0000.ethernet eth0: Link is Up - 100Mbps/Full', undefined, undefined],
  ['<6>Mar  4 10:00:07 gw-7 kernel: [ 4711.2] modbusd[812]: segfault at 0 ip 0000aaaad3e4 sp 0000ffffe2c0 error 6 in modbusd[aaaad3e00000+20000]',
    'gw.segfault', /modbusd crashed/],
  ['<4>Mar  4 10:00:08 gw-7 kernel: [ 3.2] Under-voltage detected! (0x00050005)', 'gw.undervoltage_log', /under-voltage/],
  ['<3>Mar  4 10:00:09 gw-7 systemd[1]: mosquitto.service: Start request repeated too quickly.', 'gw.service_restart_loop', /mosquitto keeps crashing/],
  ['<5>Mar  4 10:00:10 gw-7 systemd[1]: modbusd.service: Scheduled restart job, restart counter is at 4.', 'gw.service_restarting', /modbusd restarted \(4 times/],
  ['<3>Mar  4 10:00:11 gw-7 myapp[99]: Start request repeated too quickly', undefined, undefined],
  ['<6>Mar  4 10:00:12 gw-7 sshd[1201]: Accepted publickey for admin from 10.0.0.9', undefined, undefined],
];

t.test('the gateway\'s log patterns recognise what its kernel and systemd write', async (t) => {
  for (const [line, code, message] of cases) {
    const parsed = parse(line, 0);
    if (!parsed.ok) { t.fail(`cannot parse ${line}: ${parsed.reason}`); continue; }
    const m = matcher.match(parsed.record);
    t.equal(m?.fault.code, code, line.slice(0, 90));
    if (message) t.match(m?.fault.message, message);
  }
});
