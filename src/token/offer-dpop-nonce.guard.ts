import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DPOP_NONCE_HEADER } from './dpop-nonce.service.js';
import { DpopProofService } from './dpop-proof.service.js';

/**
 * RFC 9449 §8.2: a request with a DPoP proof gets the current nonce in `DPoP-Nonce` on every answer,
 * errors included, so a client learns it before it is required. A guard rather than a line in the
 * handler, so that it runs before `ClientAuthGuard` and an `invalid_client` answer carries the nonce
 * too. It never refuses a request, and costs one header read.
 */
@Injectable()
export class OfferDpopNonceGuard implements CanActivate {
  constructor(private readonly dpop: DpopProofService) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    if (http.getRequest<Request>().headers.dpop !== undefined) {
      http.getResponse<Response>().setHeader(DPOP_NONCE_HEADER, this.dpop.currentNonce());
    }
    return true;
  }
}
