/** A real SMTP server (smtp-server) on a random loopback port that keeps every mail it accepts. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Test } from 'tap';

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The text body, quoted-printable decoded. */
  text: string;
}

/** Undoes quoted-printable (soft line breaks and =XX), enough for nodemailer's text parts. */
function decodeQp(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parse(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const subject = /^Subject: (.*)$/m.exec(head)?.[1]?.trim() ?? '';
  const qp = /^Content-Transfer-Encoding: quoted-printable/im.test(head);
  return { to, subject, text: qp ? decodeQp(body) : body };
}

export interface SinkOptions {
  /** Refuses the n-th mail offered (from 1) with this reply code (4xx: try later, 5xx: for good); null accepts it. */
  refuse?: (n: number) => number | null;
}

export async function smtpSink(t: Test, opts: SinkOptions = {}): Promise<{ port: number; mails: ReceivedMail[]; offered: () => number }> {
  const mails: ReceivedMail[] = [];
  let offered = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        offered++;
        const code = opts.refuse?.(offered) ?? null;
        if (code !== null) {
          callback(Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }));
          return;
        }
        mails.push(parse(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails, offered: () => offered };
}
