import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@wellifiy/auth';
import { ApiErrors } from '../docs/error.view';
import { DevSignInService } from './dev-sign-in.service';
import { DevSignInDto } from './dev.dto';
import { DevSignInView, DevUsersView } from './dev.view';

/**
 * Development sign-in for the web console: pick a demo user, get a token. Public (it is how one gets a token) and
 * registered only when NODE_ENV=development (DevModule): elsewhere these routes do not exist (404, not in OpenAPI).
 */
@ApiTags('dev')
@Public()
@Controller('v1/dev')
export class DevController {
  constructor(private readonly signIn: DevSignInService) {}

  @ApiOperation({ summary: 'The demo organisation and its users (development only)' })
  @ApiOkResponse({ type: DevUsersView })
  @Get('users')
  users(): DevUsersView {
    return this.signIn.users();
  }

  @ApiOperation({ summary: 'A token for a demo user (development only)' })
  @ApiOkResponse({ type: DevSignInView })
  @ApiErrors(400, 404)
  @Post('sign-in')
  @HttpCode(200)
  signInAs(@Body() dto: DevSignInDto): DevSignInView {
    return this.signIn.signIn(dto.userId);
  }
}
