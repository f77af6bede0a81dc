import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
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
        // a KeyObject: jsonwebtoken otherwise tries (and fails) to parse the secret as a public key on every verify
        return {
          secret: createSecretKey(Buffer.from(secret, 'utf8')),
          verifyOptions: { algorithms: ['HS256'], issuer: 'sunshine-funds' },
          signOptions: {
            algorithm: 'HS256',
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
