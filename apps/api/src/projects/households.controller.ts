import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Actor, IsIsoDate, ROLES } from '@sunshine/common';
import { HouseholdsService, HouseholdView, POVERTY_STATUSES, PovertyStatus } from '@sunshine/households';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JURISDICTION_CODE } from '../http/common.dto';

export class CreateHouseholdDto {
  @ApiProperty({ example: '450124101001' })
  @Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must be a 6, 9 or 12 digit code' })
  jurisdictionCode: string;

  @ApiProperty({ example: '韦某某', description: '户主姓名' })
  @IsString()
  @Length(1, 50)
  headName: string;

  @ApiProperty({ example: '11010519491231002X', description: 'stored encrypted; answered masked' })
  @IsString()
  @Length(18, 18)
  idNumber: string;

  @ApiProperty({ example: 4 })
  @IsInt()
  @Min(1)
  @Max(50)
  householdSize: number;

  @ApiProperty({ enum: POVERTY_STATUSES })
  @IsIn(POVERTY_STATUSES)
  povertyStatus: PovertyStatus;
}

export class HouseholdLookupDto {
  @ApiProperty({ example: '11010519491231002X' })
  @IsString()
  @Length(18, 18)
  idNumber: string;
}

export class HouseholdExitDto {
  @ApiProperty({ example: '2026-10-20', description: '脱贫 date' })
  @IsIsoDate()
  exitedOn: string;
}

@ApiTags('beneficiary households')
@ApiBearerAuth()
@Controller('api/households')
export class HouseholdsController {
  constructor(private readonly households: HouseholdsService) {}

  @Roles('poverty_office', 'admin')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateHouseholdDto): Promise<HouseholdView> {
    return this.households.create(actor, dto);
  }

  /**
   * Exact look-up by ID number (keyed hash); answers are masked. A POST so that the ID number travels in
   * the body and never in a URL (URLs end up in access logs and browser histories).
   */
  @Roles(...ROLES)
  @Post('lookup')
  @HttpCode(200)
  find(@CurrentActor() actor: Actor, @Body() dto: HouseholdLookupDto): Promise<HouseholdView[]> {
    return this.households.findByIdNumber(actor, dto.idNumber);
  }

  @Roles(...ROLES)
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<HouseholdView> {
    return this.households.get(actor, id);
  }

  /** The unmasked ID number, for the poverty office and auditors only; every read is audit-logged. */
  @Roles('poverty_office', 'auditor')
  @Get(':id/id-number')
  reveal(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<{ id: string; idNumber: string }> {
    return this.households.revealIdNumber(actor, id);
  }

  /** 脱贫: the household exited poverty (poverty office); counted by the targets of the battle map. */
  @Roles('poverty_office')
  @Post(':id/exit')
  @HttpCode(201)
  exit(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: HouseholdExitDto,
  ): Promise<HouseholdView> {
    return this.households.markExited(actor, id, dto.exitedOn);
  }
}
