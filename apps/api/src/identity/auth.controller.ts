import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { AuthService, Public, UserView } from '@sunshine/identity';

export class LoginDto {
  @ApiProperty({ example: 'finance.county' })
  @IsString()
  @Length(1, 64)
  username: string;

  @ApiProperty({ example: 'demo-password' })
  @IsString()
  @Length(1, 256)
  password: string;
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** 10 failed attempts for one username within 15 minutes → 429 RATE_LIMITED. */
  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto): Promise<{ accessToken: string; user: UserView }> {
    return this.auth.login(dto.username, dto.password);
  }
}
