import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { NotificationsConfig } from '../config/notifications.config';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends email. The one implementation is SMTP; tests fake this interface. */
export abstract class Mailer {
  abstract readonly enabled: boolean;
  abstract send(email: OutgoingEmail): Promise<void>;
}

@Injectable()
export class SmtpMailer extends Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter | null;
  readonly enabled: boolean;

  constructor(private readonly config: NotificationsConfig) {
    super();
    this.transport = config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : null;
    this.enabled = this.transport !== null;
    if (!this.enabled) this.logger.warn('SMTP_URL is not set: digest emails are disabled');
  }

  async send(email: OutgoingEmail): Promise<void> {
    if (!this.transport) throw new Error('SMTP is not configured');
    await this.transport.sendMail({ from: this.config.MAIL_FROM, ...email });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
