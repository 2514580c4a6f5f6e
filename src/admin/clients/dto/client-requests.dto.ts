import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { CLIENT_STATUSES, type ClientStatus } from '../../../client-registration/index.js';

const URI_MAX = 2048;
const LIST_MAX = 100;

/** Fields shared by `dto.CreateClientRequest` and `dto.UpdateClientRequest` (all optional here). */
abstract class ClientFields {
  @IsOptional()
  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(LIST_MAX)
  @IsArray({ message: '$property must be an array of strings' })
  @ApiPropertyOptional({
    type: [String],
    description:
      'Token endpoint authentication method, as a one-element list: client_secret_basic, ' +
      'client_secret_post, private_key_jwt or none (one method per client)',
    example: ['client_secret_basic'],
  })
  client_auth_methods?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(32)
  @ApiPropertyOptional({ description: 'FAPI profile recorded for the client', example: 'fapi1' })
  fapi_profile?: string;

  @IsOptional()
  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(LIST_MAX)
  @IsArray({ message: '$property must be an array of strings' })
  @ApiPropertyOptional({
    type: [String],
    description: 'authorization_code, refresh_token, client_credentials',
    example: ['authorization_code', 'refresh_token'],
  })
  grant_types?: string[];

  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({
    description: 'false: a public client (method "none"); true: a confidential one',
    example: true,
  })
  is_confidential?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(64 * 1024)
  @ApiPropertyOptional({
    description: 'The client\'s public JWK Set as a JSON string (RFC 7517 §5); "" removes it',
  })
  jwks?: string;

  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  @ApiPropertyOptional({
    description: 'URL of the client\'s JWK Set (https); "" removes it',
    example: 'https://client.example.com/.well-known/jwks.json',
  })
  jwks_uri?: string;

  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  @ApiPropertyOptional({ example: 'https://app.example.com/logo.png' })
  logo_url?: string;

  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  @ApiPropertyOptional({ example: 'https://app.example.com/privacy' })
  privacy_policy?: string;

  @IsOptional()
  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(LIST_MAX)
  @IsArray({ message: '$property must be an array of strings' })
  @ApiPropertyOptional({
    type: [String],
    description: 'Scope values the server offers (SCOPES_SUPPORTED); "admin" is reserved',
    example: ['openid', 'profile', 'email'],
  })
  scopes?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  @ApiPropertyOptional({ example: 'https://app.example.com/terms' })
  terms_url?: string;

  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  @ApiPropertyOptional({ example: 'https://app.example.com' })
  website?: string;
}

/** `dto.CreateClientRequest` (reference O28). */
@ApiSchema({ name: 'CreateClientRequest' })
export class CreateClientRequest extends ClientFields {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @ApiProperty({ example: 'My Application' })
  name!: string;

  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(LIST_MAX)
  @ArrayMinSize(1, { message: '$property must have at least one item' })
  @IsArray({ message: '$property must be an array of strings' })
  @ApiProperty({ type: [String], minItems: 1, example: ['https://app.example.com/callback'] })
  redirect_uris!: string[];
}

/** `dto.UpdateClientRequest` (reference O30): the given fields change, the others stay. */
@ApiSchema({ name: 'UpdateClientRequest' })
export class UpdateClientRequest extends ClientFields {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @ApiPropertyOptional({ example: 'My Application' })
  name?: string;

  @IsOptional()
  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(LIST_MAX)
  @ArrayMinSize(1, { message: '$property must have at least one item' })
  @IsArray({ message: '$property must be an array of strings' })
  @ApiPropertyOptional({ type: [String], example: ['https://app.example.com/callback'] })
  redirect_uris?: string[];

  @IsOptional()
  @IsIn(CLIENT_STATUSES, { message: '$property must be "active" or "suspended"' })
  @ApiPropertyOptional({
    enum: CLIENT_STATUSES,
    description: 'suspended: no token at any grant, existing tokens refused at once',
    example: 'suspended',
  })
  status?: ClientStatus;
}

/** Query of `GET /admin/oauth/clients` (reference O27). */
export class ListClientsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(1)
  @Max(100)
  page_size?: number;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @IsOptional()
  @IsIn(CLIENT_STATUSES, { message: '$property must be "active" or "suspended"' })
  status?: ClientStatus;

  @IsOptional()
  @Matches(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: '$property must be a client_id' })
  after?: string;
}

/** Query of `GET /admin/oauth/clients/{client_id}/audit-logs` (reference O32). */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(1)
  @Max(100)
  page_size?: number;
}
