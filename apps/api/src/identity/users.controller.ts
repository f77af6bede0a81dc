import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { Actor, Role, ROLES } from '@sunshine/common';
import { CurrentActor, Roles, UsersService, UserView } from '@sunshine/identity';
import { JURISDICTION_CODE } from '../http/common.dto';

export class CreateUserDto {
  @ApiProperty({ example: 'finance.xincheng' })
  @Matches(/^[a-z0-9][a-z0-9._-]{1,62}$/, { message: 'username: lower-case letters, digits, . _ -' })
  username: string;

  @ApiProperty({ minLength: 10 })
  @IsString()
  @Length(10, 256)
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must be a 6, 9 or 12 digit code' })
  jurisdictionCode: string;

  @ApiPropertyOptional({ description: 'the unit of a project owner', example: '马山县交通运输局' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  unit?: string;
}

export class PasswordDto {
  @ApiProperty({ minLength: 10 })
  @IsString()
  @Length(10, 256)
  password: string;
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Roles('admin')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(actor, dto);
  }

  @Roles('admin')
  @Post(':username/password')
  @HttpCode(204)
  async resetPassword(
    @CurrentActor() actor: Actor,
    @Param('username') username: string,
    @Body() dto: PasswordDto,
  ): Promise<void> {
    await this.users.resetPassword(actor, username, dto.password);
  }

  @Roles('admin', 'finance', 'poverty_office', 'project_owner', 'auditor')
  @Get('me')
  async me(@CurrentActor() actor: Actor): Promise<UserView> {
    const user = await this.users.findById(actor.id);
    if (!user) throw new Error('authenticated user vanished');
    return this.users.view(user);
  }
}
