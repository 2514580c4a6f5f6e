import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthorizationResponder } from './authorization-responder.js';
import type { LoginOutcome } from './authorize.options.js';
import { InteractionService } from './interaction.service.js';

/**
 * The entry point of a replacement {@link LoginHandler} that authenticates the user on its own routes
 * (an upstream identity provider's callback, DESIGN.md "Extension points"): it resumes the pending
 * authorization request there. The flow itself lives in {@link AuthorizationEndpointService} and
 * {@link InteractionService}, which return results; {@link AuthorizationResponder} writes them (ADR 0025).
 */
@Injectable()
export class AuthorizationFlowService {
  constructor(
    private readonly interaction: InteractionService,
    private readonly responder: AuthorizationResponder,
  ) {}

  /**
   * Finishes the login step of pending request `requestId` for an authenticated user and writes the
   * response: the login session starts (cookie), then the consent page or the authorization response
   * (RFC 6749 §4.1.2). The request must have been started by the same browser (its binding cookie);
   * otherwise the user gets an error page.
   */
  async completeLogin(
    requestId: string,
    outcome: Extract<LoginOutcome, { type: 'authenticated' }>,
    req: Request,
    res: Response,
  ): Promise<void> {
    const result = await this.interaction.completeLogin(
      requestId,
      outcome,
      this.responder.browserOf(req),
    );
    this.responder.write(req, res, result);
  }
}
