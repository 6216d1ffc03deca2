import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class PatientExportParams {
  @ApiProperty({ description: 'The patient whose conversations are exported' })
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;
}

export class PatientExportQuery {
  @ApiPropertyOptional({ description: 'true: also the staff channels about the patient (which the patient never sees); default false' })
  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'includeStaff must be true or false' })
  includeStaff?: boolean;
}
