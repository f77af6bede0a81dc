import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { UsersService } from './users.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      useFactory: () => {
        const secret = process.env.JWT_SECRET;
        if (!secret) throw new Error('JWT_SECRET is not set');
        return {
          secret,
          signOptions: {
            expiresIn: Number(process.env.JWT_TTL_SECONDS ?? 8 * 3600),
            issuer: 'sunshine-funds',
          },
        };
      },
    }),
  ],
  providers: [UsersService, AuthService, AuthGuard],
  exports: [UsersService, AuthService, AuthGuard],
})
export class IdentityModule {}
